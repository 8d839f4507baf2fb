#!/bin/bash
# Queues the generation array, then the merge as a job that runs only after every array task
# succeeded (afterok on the array's job id covers all its tasks).
set -euo pipefail
cd "$(dirname "$0")"
export RUN_DIR=${RUN_DIR:-$PWD/run-42}

array_id=$(sbatch --parsable --export=ALL medsynth-array.sbatch)
merge_id=$(sbatch --parsable --export=ALL --dependency="afterok:${array_id}" \
  --job-name=medsynth-merge --cpus-per-task=1 --mem=1G --time=01:00:00 \
  --output=medsynth-merge-%j.log \
  --wrap "npx medsynth merge \"$RUN_DIR\"/shard-* --output-dir \"$RUN_DIR/merged\"")
echo "generation array ${array_id}, merge ${merge_id} (runs after all tasks succeed)"
