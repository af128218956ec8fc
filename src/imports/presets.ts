import { listPresets } from '../assignments/presets.js';
import type { Ctx } from '../context.js';
import { ValidationError } from '../errors.js';

export interface PresetChoice {
  id: string;
  name: string;
}

/** The organisation's preset assignments, to apply to the imported accounts (the assignment engine owns them). */
export async function listPresetChoices(ctx: Ctx): Promise<PresetChoice[]> {
  return (await listPresets(ctx)).map((p) => ({ id: p.id, name: p.name }));
}

/** A preset id from a form: one of the choices, or refused. */
export async function checkPresetChoice(ctx: Ctx, presetId: string | null): Promise<string | null> {
  if (!presetId) return null;
  const choices = await listPresetChoices(ctx);
  if (!choices.some((p) => p.id === presetId)) {
    throw new ValidationError('That preset assignment no longer exists. Choose another one.', {
      presetId: 'Choose one of the preset assignments.',
    });
  }
  return presetId;
}
