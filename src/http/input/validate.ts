import { vValidator } from '@hono/valibot-validator';
import type * as v from 'valibot';
import { NotFoundError, ValidationError } from '../../errors.js';

/**
 * Hono's validator middleware over our valibot schemas. A handler reads only `c.req.valid(...)`.
 * A query or form that fails becomes a ValidationError naming each field, which the error handler
 * renders as a 400 page saying what to change; a path parameter that fails names nothing of ours,
 * so it is a 404, like another organisation's id.
 */

function fieldErrors(issues: readonly v.BaseIssue<unknown>[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path?.map((p) => String(p.key)).join('.') || '(form)';
    fields[key] ??= issue.message;
  }
  return fields;
}

export class InputError extends ValidationError {}

type Target = 'query' | 'form' | 'param';

/** Which schema each validator middleware reads, so tests can walk the app's routes and feed every declared field. */
const declared = new WeakMap<object, { target: Target; schema: v.GenericSchema }>();

export function declaredInput(handler: unknown): { target: Target; schema: v.GenericSchema } | undefined {
  return typeof handler === 'function' ? declared.get(handler) : undefined;
}

function remember<H extends object>(target: Target, schema: v.GenericSchema, handler: H): H {
  declared.set(handler, { target, schema });
  return handler;
}

/** `message`, when given, replaces the fields' own messages (for pages opened by another service, not by a person's typing). */
interface Options {
  message?: string;
}

function refuse(issues: readonly v.BaseIssue<unknown>[], options: Options): never {
  const fields = fieldErrors(issues);
  throw new InputError(options.message ?? [...new Set(Object.values(fields))].join(' '), fields);
}

export function query<S extends v.GenericSchema>(schema: S, options: Options = {}) {
  return remember(
    'query',
    schema,
    vValidator('query', schema, (result) => {
      if (!result.success) refuse(result.issues, options);
    }),
  );
}

export function form<S extends v.GenericSchema>(schema: S, options: Options = {}) {
  return remember(
    'form',
    schema,
    vValidator('form', schema, (result) => {
      if (!result.success) refuse(result.issues, options);
    }),
  );
}

export function param<S extends v.GenericSchema>(schema: S) {
  return remember(
    'param',
    schema,
    vValidator('param', schema, (result) => {
      if (!result.success) throw new NotFoundError('That does not exist.');
    }),
  );
}
