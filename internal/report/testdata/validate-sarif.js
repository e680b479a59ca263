// Validates SARIF files against the official SARIF 2.1.0 JSON schema
// (sarif-2.1.0-rtm.5.json, a draft-04 schema) shipped by the npm package
// @microsoft/jest-sarif, with the ajv 6 that package depends on (ajv 6 still
// validates draft-04). Usage: node validate-sarif.js NODE_MODULES FILE...
// Exit 0 when every file is valid; 1 with the errors otherwise.
const path = require('path');
const fs = require('fs');
const modules = process.argv[2];
const pkg = path.join(modules, '@microsoft', 'jest-sarif');
const Ajv = require(require.resolve('ajv', { paths: [pkg] }));
const draft4 = require(require.resolve('ajv/lib/refs/json-schema-draft-04.json', { paths: [pkg] }));
const schema = JSON.parse(fs.readFileSync(path.join(pkg, 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8'));
const ajv = new Ajv({ schemaId: 'auto', allErrors: true });
ajv.addMetaSchema(draft4);
const validate = ajv.compile(schema);
let bad = 0;
for (const f of process.argv.slice(3)) {
  const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
  if (!validate(doc)) {
    bad++;
    console.log(f + ': invalid SARIF 2.1.0:\n' + JSON.stringify(validate.errors, null, 2));
  } else {
    console.log(f + ': valid SARIF 2.1.0');
  }
}
process.exit(bad ? 1 : 0);
