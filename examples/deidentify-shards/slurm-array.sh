#!/usr/bin/env bash
# Slurm array job: share $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT.
#   sbatch --array=1-16 examples/deidentify-shards/slurm-array.sh /data/trial /scratch/trial-deid
#SBATCH --job-name=cmr-deidentify
#SBATCH --cpus-per-task=4
#SBATCH --mem=2G
#SBATCH --time=02:00:00
set -euo pipefail
input=$1 output=$2
key=${CMR_SITE_KEY:-/etc/cmr/site.key}
i=$SLURM_ARRAY_TASK_ID n=$SLURM_ARRAY_TASK_COUNT
mkdir -p "$output/reports" "$output/audit"
exec cmr deidentify --mode deidentified --key-file "$key" \
  --option modified-dates --recipe "$(dirname "$0")/recipe.json" \
  --shard "$i/$n" --jobs "${SLURM_CPUS_PER_TASK:-1}" \
  --report "$output/reports/share-$i-of-$n.jsonl" \
  --audit-log "$output/audit/share-$i-of-$n.log" \
  --out "$output/data" "$input"
