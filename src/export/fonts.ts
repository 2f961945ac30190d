import { createRequire } from 'node:module';

/**
 * The fonts of the PDF report and of the charts drawn on the server: DejaVu Sans, shipped through
 * npm (dejavu-fonts-ttf; Bitstream Vera licence, free to embed and redistribute), so a report
 * renders the same on any machine and has every French accent, whatever fonts the host has.
 */
const require = createRequire(import.meta.url);

export const fontFiles = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
};

/** The family name the charts ask for once the files are registered with the canvas. */
export const chartFontFamily = 'DejaVu Sans';
