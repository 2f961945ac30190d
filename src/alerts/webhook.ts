/** Posts one message to a Slack/Mattermost-compatible incoming webhook. */
export type SendWebhook = (url: string, message: { text: string }) => Promise<void>;

export class WebhookError extends Error {
  override name = 'WebhookError';
}

/**
 * POSTs the JSON message. Errors never carry the webhook's address: it is a secret (whoever holds
 * it can post to the channel).
 */
export const postWebhook: SendWebhook = async (url, message) => {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(10_000),
      redirect: 'error',
    });
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError' ? 'no answer within 10 s' : 'unreachable';
    throw new WebhookError(`alert webhook ${reason}`);
  }
  // Drain the body: an unread body keeps the connection busy.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new WebhookError(`alert webhook answered HTTP ${response.status}`);
};
