// Prints the README's configuration table from CONFIG_VARIABLES (src/config/variables.ts).
import { CONFIG_VARIABLES } from '../src/config/index.js';

const rows = CONFIG_VARIABLES.map(
  (variable) =>
    `| \`${variable.name}\` | ${variable.default.startsWith('(') ? variable.default : `\`${variable.default}\``} | ${variable.meaning} |`,
);
process.stdout.write(['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n') + '\n');
