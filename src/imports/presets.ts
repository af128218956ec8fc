import type { Ctx } from '../context.js';
import { ValidationError } from '../errors.js';

export interface PresetChoice {
  id: string;
  name: string;
}

/**
 * The preset assignments the actor may apply to an import. The assignment engine (issue 3) owns
 * presets; until it is on this branch there are none to offer, and the option is not shown (null).
 */
export async function listPresetChoices(_ctx: Ctx): Promise<PresetChoice[] | null> {
  return null;
}

/** A preset id from a form: one of the choices, or refused. */
export async function checkPresetChoice(ctx: Ctx, presetId: string | null): Promise<string | null> {
  if (!presetId) return null;
  const choices = await listPresetChoices(ctx);
  if (!choices?.some((p) => p.id === presetId)) {
    throw new ValidationError('That preset assignment no longer exists. Choose another one.', { presetId: 'Choose one of the preset assignments.' });
  }
  return presetId;
}
