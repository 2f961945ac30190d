import { dictionaries, isLang } from '../../src/present/i18n.ts';
import type { ErrorJson } from '../api-contract.ts';

const tokenKey = 'campaign-tracker:admin-token';

/**
 * The admin forms of the operations page, the campaign file's included
 * (dashboard/views/campaign-file-form.tsx). The token is kept for this tab only (sessionStorage) and
 * sent as `Authorization: Bearer`; the server decides (401, 403) and the answer is shown.
 */
export function startAdmin(section: HTMLElement): void {
  const lang = isLang(document.documentElement.lang) ? document.documentElement.lang : 'en';
  const t = dictionaries[lang];
  const input = document.getElementById('admin-token');
  const status = document.getElementById('admin-status');
  if (!(input instanceof HTMLInputElement) || !status) return;
  input.value = sessionStorage.getItem(tokenKey) ?? '';
  input.addEventListener('change', () => sessionStorage.setItem(tokenKey, input.value.trim()));

  const send = async (method: string, url: string, body?: Record<string, string> | string) => {
    const token = input.value.trim();
    if (!token) {
      status.textContent = t.needToken;
      input.focus();
      return;
    }
    sessionStorage.setItem(tokenKey, token);
    const response = await fetch(url, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        ...(body === undefined
          ? {}
          : { 'Content-Type': typeof body === 'string' ? 'application/yaml' : 'application/json' }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }).catch(() => undefined);
    if (response?.ok) {
      status.textContent = t.actionDone;
      // The lists are the server's: read them again.
      setTimeout(() => location.reload(), 400);
      return;
    }
    const error = (await response?.json().catch(() => undefined)) as ErrorJson | undefined;
    status.textContent = t.actionFailed(
      error?.error.message ?? (response ? `HTTP ${response.status}` : 'network'),
    );
  };

  /** The campaign's file as the server holds it, into the form's text area, to edit. */
  const load = async (url: string, target: HTMLTextAreaElement) => {
    const token = input.value.trim();
    if (!token) {
      status.textContent = t.needToken;
      input.focus();
      return;
    }
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } }).catch(
      () => undefined,
    );
    if (response?.ok) target.value = await response.text();
    else status.textContent = t.actionFailed(response ? `HTTP ${response.status}` : 'network');
  };

  section.addEventListener('click', (event) => {
    const loader = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-load]');
    const area = loader?.dataset.target ? document.getElementById(loader.dataset.target) : null;
    if (loader?.dataset.load && area instanceof HTMLTextAreaElement) {
      void load(loader.dataset.load, area);
      return;
    }
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
    if (!button?.dataset.url || !button.dataset.action) return;
    void send(button.dataset.action, button.dataset.url);
  });
  section.addEventListener('submit', (event) => {
    const form = event.target as HTMLFormElement;
    if (form.dataset.fileUrl && form.dataset.fileMethod) {
      event.preventDefault();
      void send(form.dataset.fileMethod, form.dataset.fileUrl, String(new FormData(form).get('file') ?? ''));
      return;
    }
    const field = form.dataset.field;
    if (!form.dataset.url || !field) return;
    event.preventDefault();
    const value = new FormData(form).get(field);
    void send('POST', form.dataset.url, { [field]: String(value ?? '') });
  });
}
