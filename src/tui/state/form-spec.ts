/** What a dialog's form is made of (forms.ts and registry-forms.ts describe theirs with it). */
import type { Edit } from './text-edit.js';
import type { FieldValue, FormId } from './types.js';

/** text: one line; multiline; toggle: on/off; path: Tab completes; secret: one line never drawn (a password). */
export type FieldKind = 'text' | 'multiline' | 'toggle' | 'path' | 'secret';

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  hint?: string;
  /** A path field whose Tab completes directories only. */
  dirs?: boolean;
}

export interface FormSpec {
  id: FormId;
  title: string;
  submit: string;
  fields: FieldSpec[];
}

export interface FieldError {
  field: string;
  message: string;
}

export const text = (v: FieldValue | undefined): string => (typeof v === 'object' ? (v as Edit).text : '');
export const flag = (v: FieldValue | undefined): boolean => v === true;
