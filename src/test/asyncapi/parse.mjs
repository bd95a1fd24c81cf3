// Parses docs/asyncapi.yaml with the official AsyncAPI parser and prints each diagnostic as "severity code path
// message", one per line (severity: 0 error, 1 warning, 2 information, 3 hint). Run by AsyncApiParserTest.
import { Parser, fromFile } from '@asyncapi/parser';

const { document, diagnostics } = await fromFile(new Parser(), process.argv[2]).parse();
for (const d of diagnostics) {
  console.log(`${d.severity} ${d.code} ${JSON.stringify(d.path)} ${d.message}`);
}
console.log(document ? 'parsed' : 'not parsed');
