// Runs generateDataset with the JSON options in argv[2] (MEDSYNTH_FAULT may kill it on the way);
// prints the result's files on success.
import { generateDataset } from '../../dist/lib/index.js';

const options = JSON.parse(process.argv[2]);
const result = await generateDataset(options);
console.log(JSON.stringify(result.files));
