import type { FC } from 'hono/jsx';
import type { OpenApiDocument, Operation, Parameter, ResponseObject } from '../server/openapi/document.ts';
import type { JsonSchema } from '../server/openapi/route-docs.ts';

/**
 * `/api/docs`: the OpenAPI document as a page, rendered here from the document itself (no viewer
 * from a CDN, no script: it passes the pages' CSP as they do). Every text is escaped by hono/jsx.
 */
export const ApiDocsPage: FC<{ document: OpenApiDocument; documentUrl: string }> = ({
  document,
  documentUrl,
}) => {
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );
  return (
    <article class="api-docs">
      <h1>
        {document.info.title} API <span class="muted">{document.info.version}</span>
      </h1>
      <p>
        OpenAPI {document.openapi}: <a href={documentUrl}>{documentUrl}</a> (generate a client from it).
      </p>
      <Markdown text={document.info.description} />
      <nav aria-label="Routes">
        <h2>Routes</h2>
        <ul class="api-toc">
          {operations.map(({ path, method, operation }) => (
            <li>
              <a href={`#${operation.operationId}`}>
                <code>
                  {method.toUpperCase()} {path}
                </code>
              </a>{' '}
              {operation.summary}
            </li>
          ))}
        </ul>
      </nav>
      {operations.map(({ path, method, operation }) => (
        <OperationSection path={path} method={method} operation={operation} />
      ))}
    </article>
  );
};

const OperationSection: FC<{ path: string; method: string; operation: Operation }> = ({
  path,
  method,
  operation,
}) => (
  <section class="api-op" id={operation.operationId}>
    <h2>
      <code>
        {method.toUpperCase()} {path}
      </code>
    </h2>
    <p>{operation.summary}</p>
    {operation.description && <Markdown text={operation.description} />}
    {operation.security && (
      <p class="note">
        Admin only: <code>Authorization: Bearer &lt;ADMIN_TOKEN&gt;</code>
      </p>
    )}
    {operation.parameters.length > 0 && <Parameters parameters={operation.parameters} />}
    {operation.requestBody && (
      <>
        <h3>Body</h3>
        {Object.entries(operation.requestBody.content).map(([type, media]) => (
          <Schema title={type} schema={media.schema} open />
        ))}
      </>
    )}
    <h3>Responses</h3>
    <dl class="api-responses">
      {Object.entries(operation.responses).map(([status, response]) => (
        <Response status={status} response={response} />
      ))}
    </dl>
  </section>
);

const Parameters: FC<{ parameters: Parameter[] }> = ({ parameters }) => (
  <div class="table-scroll">
    <table class="compact">
      <caption>Parameters</caption>
      <thead>
        <tr>
          <th scope="col">name</th>
          <th scope="col">in</th>
          <th scope="col">value</th>
          <th scope="col">meaning</th>
        </tr>
      </thead>
      <tbody>
        {parameters.map((parameter) => (
          <tr>
            <td>
              <code>{parameter.name}</code>
              {parameter.required && ' (required)'}
            </td>
            <td>{parameter.in}</td>
            <td>{describeValue(parameter.schema)}</td>
            <td>{parameter.description && <Markdown text={parameter.description} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

const Response: FC<{ status: string; response: ResponseObject }> = ({ status, response }) => (
  <>
    <dt>
      <strong>{status}</strong> {response.description}
    </dt>
    <dd>
      {Object.entries(response.headers ?? {}).map(([name, header]) => (
        <p>
          Header <code>{name}</code>: {header.description}
        </p>
      ))}
      {Object.entries(response.content ?? {}).map(([type, media]) => (
        <>
          <Schema title={type} schema={media.schema} />
          {Object.entries(media['x-events'] ?? {}).map(([event, data]) => (
            <Schema title={`event: ${event}`} schema={data} />
          ))}
        </>
      ))}
    </dd>
  </>
);

const Schema: FC<{ title: string; schema: JsonSchema; open?: boolean }> = ({ title, schema, open }) => (
  <details open={open}>
    <summary>
      <code>{title}</code>
    </summary>
    <pre>{JSON.stringify(schema, null, 2)}</pre>
  </details>
);

/** A parameter's values in a few words: `posts | reposts | …`, `string /^…$/`, `default: 50`. */
function describeValue(schema: JsonSchema): string {
  const parts = [
    Array.isArray(schema.enum) ? schema.enum.join(' | ') : String(schema.type ?? 'any'),
    typeof schema.format === 'string' ? `(${schema.format})` : '',
    typeof schema.pattern === 'string' && !schema.format ? `matching ${schema.pattern}` : '',
    schema.default !== undefined ? `default: ${String(schema.default)}` : '',
  ];
  return parts.filter(Boolean).join(' ');
}

/** The little markdown our own descriptions use: `## headings`, `- items`, paragraphs, `code`. */
const Markdown: FC<{ text: string }> = ({ text }) => {
  const blocks: Array<{ kind: 'h' | 'p'; text: string } | { kind: 'ul'; items: string[] }> = [];
  for (const line of text.split('\n')) {
    const last = blocks.at(-1);
    if (line.startsWith('## ')) blocks.push({ kind: 'h', text: line.slice(3) });
    else if (line.startsWith('- ')) {
      if (last?.kind === 'ul') last.items.push(line.slice(2));
      else blocks.push({ kind: 'ul', items: [line.slice(2)] });
    } else if (line.trim() !== '') blocks.push({ kind: 'p', text: line });
  }
  return (
    <>
      {blocks.map((block) =>
        block.kind === 'ul' ? (
          <ul>
            {block.items.map((item) => (
              <li>
                <Inline text={item} />
              </li>
            ))}
          </ul>
        ) : block.kind === 'h' ? (
          <h2>{block.text}</h2>
        ) : (
          <p>
            <Inline text={block.text} />
          </p>
        ),
      )}
    </>
  );
};

/** `code` spans as <code>; markdown's **bold** and the rest stay as they are written. */
const Inline: FC<{ text: string }> = ({ text }) => (
  <>
    {text
      .split(/(`[^`]+`)/)
      .map((part) =>
        part.startsWith('`') && part.endsWith('`') && part.length > 1 ? (
          <code>{part.slice(1, -1)}</code>
        ) : (
          part
        ),
      )}
  </>
);
