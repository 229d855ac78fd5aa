#!/usr/bin/env bash
# Fault knob ZG_FAULT_SLOW_TRAINING_MS: each training step takes this long;
# the task sits in Training while its log grows line by line.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.bash"

prov_start "${PROV_FAST[@]}" ZG_FAULT_SLOW_TRAINING_MS=1200
new_task '{"neftune_noise_alpha":5,"num_train_epochs":3,"per_device_train_batch_size":1,"learning_rate":0.0002,"max_steps":-1}' ||
    not_ok "task created"
check_eq "task reaches Training" "$(pc wait "$TASK" Training 30)" Training
t1=$(date +%s%N)
n1=$(bd "$(pc log "$TASK")" | grep -o "'loss'" | wc -l)
sleep 2.6
check_eq "still Training 2.6 s later" "$(bd "$(pc get "$TASK")" | jq -r .progress)" Training
n2=$(bd "$(pc log "$TASK")" | grep -o "'loss'" | wc -l)
t2=$(date +%s%N)
# At most one line per 1.2 s step over the time that really passed between
# the two reads (a loaded machine stretches it), plus the step in progress.
most=$(((t2 - t1) / 1200000000 + 1))
check "the log grew step by step ($n1 -> $n2 lines, at most $most)" \
    test $((n2 - n1)) -ge 1 -a $((n2 - n1)) -le "$most"
check_eq "the task is delivered in the end" "$(pc wait "$TASK" Delivered 60)" Delivered
t_done
