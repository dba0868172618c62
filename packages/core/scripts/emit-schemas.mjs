#!/usr/bin/env node
// Writes the flag and segment JSON Schemas (built in src/model) as files, for tools in any language.
import { mkdirSync, writeFileSync } from 'node:fs';
import { flagSchema, segmentSchema } from '../dist/index.js';

const out = new URL('../dist/schema-json/', import.meta.url);
mkdirSync(out, { recursive: true });
const doc = (schema, id) => ({ $schema: 'https://json-schema.org/draft/2020-12/schema', $id: id, ...schema });
writeFileSync(
  new URL('flag.schema.json', out),
  `${JSON.stringify(doc(flagSchema, 'https://vexil.dev/schema/flag.json'), null, 2)}\n`,
);
writeFileSync(
  new URL('segment.schema.json', out),
  `${JSON.stringify(doc(segmentSchema, 'https://vexil.dev/schema/segment.json'), null, 2)}\n`,
);
