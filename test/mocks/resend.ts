import { http, HttpResponse } from 'msw';

export interface SentThroughResend {
  body: { from: string; to: string | string[]; subject: string; text?: string; html?: string };
  idempotencyKey: string | null;
  authorization: string | null;
}

/**
 * Resend's HTTP API at the network edge. `failNext` answers that many requests with a 500
 * before accepting again, so retries can be seen.
 */
export function resendHandlers(state: { sent: SentThroughResend[]; failNext: number }) {
  return [
    http.post('https://api.resend.com/emails', async ({ request }) => {
      if (state.failNext > 0) {
        state.failNext -= 1;
        return HttpResponse.json(
          { name: 'internal_server_error', message: 'Resend is having a bad day', statusCode: 500 },
          { status: 500 },
        );
      }
      const body = (await request.json()) as SentThroughResend['body'];
      state.sent.push({
        body,
        idempotencyKey: request.headers.get('idempotency-key'),
        authorization: request.headers.get('authorization'),
      });
      return HttpResponse.json({ id: `re_${state.sent.length}` });
    }),
  ];
}
