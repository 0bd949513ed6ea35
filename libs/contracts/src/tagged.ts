import type { Static, TSchema } from 'typebox';

/**
 * From a map `{ Type: dataSchema }`, the union of `{ type: 'Type'; data: Static<dataSchema> }`: the
 * shape commands and events share, discriminated by `type`.
 */
export type TaggedUnion<Schemas extends Record<string, TSchema>> = {
  [Type in keyof Schemas & string]: { type: Type; data: Static<Schemas[Type]> };
}[keyof Schemas & string];
