import { CsrfField, ErrorSummary, Field } from './form.js';

/** What a name form shows again after a refusal: the message, each field's problem, the value typed. */
export interface NameFormState {
  error?: string | null;
  fields?: Record<string, string>;
  value?: string;
}

/**
 * A card with one name field and its button: Create Group, Rename Group, Create Tag, Rename Tag.
 * Names are limited to 100 characters, as the server's rule says.
 */
export function NameForm(props: {
  action: string;
  heading: string;
  label: string;
  button: string;
  csrfToken: string;
  state: NameFormState;
  value?: string;
}) {
  const { state } = props;
  return (
    <form method="post" action={props.action} class="card narrow">
      <h2>{props.heading}</h2>
      <ErrorSummary message={state.error ?? null} fields={state.fields ?? {}} />
      <CsrfField token={props.csrfToken} />
      <Field name="name" label={props.label} value={state.value ?? props.value ?? ''} error={state.fields?.name} maxlength={100} required />
      <button class="btn" type="submit">
        {props.button}
      </button>
    </form>
  );
}
