import type { Child } from 'hono/jsx';

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** Lists every problem at the top of a form, each linking to its field, and is announced to screen readers. */
export function ErrorSummary({ message, fields = {} }: { message?: string | null; fields?: Record<string, string> }) {
  const entries = Object.entries(fields);
  if (!message && entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1}>
      <h2>{message ?? 'There is a problem'}</h2>
      {entries.length > 0 ? (
        <ul>
          {entries.map(([name, text]) => (
            <li>
              <a href={`#${name}`}>{text}</a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export interface FieldProps {
  name: string;
  label: string;
  type?: string;
  value?: string | undefined;
  hint?: string;
  error?: string | undefined;
  required?: boolean;
  autocomplete?: string;
  maxlength?: number;
}

export function Field(props: FieldProps) {
  const hintId = props.hint ? `${props.name}-hint` : undefined;
  const errorId = props.error ? `${props.name}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={props.name}>{props.label}</label>
      {props.hint ? (
        <span class="hint" id={hintId}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span class="error" id={errorId}>
          {props.error}
        </span>
      ) : null}
      <input
        id={props.name}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        required={props.required}
        autocomplete={props.autocomplete}
        maxlength={props.maxlength}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy}
      />
    </div>
  );
}

export interface SelectOption {
  value: string;
  label: string;
}

export function SelectField(props: {
  name: string;
  label: string;
  options: SelectOption[];
  value?: string | undefined;
  hint?: string;
  error?: string | undefined;
  emptyLabel?: string;
}) {
  const errorId = props.error ? `${props.name}-error` : undefined;
  return (
    <div class="field">
      <label for={props.name}>{props.label}</label>
      {props.hint ? <span class="hint">{props.hint}</span> : null}
      {props.error ? (
        <span class="error" id={errorId}>
          {props.error}
        </span>
      ) : null}
      <select id={props.name} name={props.name} aria-invalid={props.error ? 'true' : undefined} aria-describedby={errorId}>
        {props.emptyLabel !== undefined ? <option value="">{props.emptyLabel}</option> : null}
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'ok' | 'warn' | 'bad'; children?: Child }) {
  return (
    <div class={`notice ${kind === 'info' ? '' : kind}`} role={kind === 'bad' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/**
 * The button Enter presses. A browser submits a form on Enter with its first submit button, which
 * in a form with Add Product and Remove buttons would be one of those; this one, first in the
 * form and out of sight, makes Enter do what the page's main button does.
 */
export function EnterSubmits({ action }: { action: string }) {
  return (
    <button type="submit" name="action" value={action} class="enter-submits" tabindex={-1} aria-hidden="true">
      {action}
    </button>
  );
}

/** "New password" and "Type the new password again", as every page that sets a password asks them. */
export function NewPasswordFields(props: { fields: Record<string, string | undefined>; name?: string }) {
  const name = props.name ?? 'newPassword';
  return (
    <>
      <Field
        name={name}
        label="New password"
        type="password"
        autocomplete="new-password"
        hint="At least 8 characters."
        error={props.fields[name]}
        required
      />
      <Field
        name="confirmPassword"
        label="Type the new password again"
        type="password"
        autocomplete="new-password"
        error={props.fields.confirmPassword}
        required
      />
    </>
  );
}
