import type { Task } from 'graphile-worker';
import * as v from 'valibot';
import { deliverEmail } from '../../src/mail/deliver.js';
import type { WorkerRuntime } from '../runtime.js';

const Payload = v.object({ id: v.pipe(v.string(), v.uuid()) });

/** Sends one outbox message; thrown errors are retried by the queue with backoff. */
export function sendEmailTask(runtime: WorkerRuntime): Task {
  return async (payload) => {
    const { id } = v.parse(Payload, payload);
    await deliverEmail(runtime.services, runtime.mailer, runtime.env.MAIL_FROM, id);
  };
}
