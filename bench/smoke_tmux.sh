#!/usr/bin/env bash
# Smoke test of the installed app in a real terminal (tmux): type a short call with send-keys,
# check capture-pane for the debtor's replies and the debrief; then kill -9 a call half-way and
# resume it with `play --resume`.
#
#   bench/smoke_tmux.sh                 # uses .venv/bin/collector-sim, else the one on PATH
#   COLLECTOR_SIM=/path/to/collector-sim bench/smoke_tmux.sh
#   KEEP=1 bench/smoke_tmux.sh          # keep the temporary home and the pane captures
#
# Exit 0 when every check passed; the captured screens are printed either way.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
# the checkout's venv first (a stale copy elsewhere on PATH would test old code), then PATH
if [ -n "${COLLECTOR_SIM:-}" ]; then CS="$COLLECTOR_SIM"
elif [ -x "$here/.venv/bin/collector-sim" ]; then CS="$here/.venv/bin/collector-sim"
else CS="$(command -v collector-sim || true)"; fi
[ -n "$CS" ] && [ -x "$CS" ] || { echo "error: collector-sim not found (install with: pip install -e .)" >&2; exit 2; }
command -v tmux >/dev/null || { echo "error: tmux not installed" >&2; exit 2; }

export LANG=C.UTF-8 LC_ALL=C.UTF-8
export COLLECTOR_SIM_HOME="$(mktemp -d)"
SOCK="cs-smoke-$$"
SESSION="smoke"
COLS=100 ROWS=30
SCENARIO=hardship_card_job_loss
SEED=7
OUT="$COLLECTOR_SIM_HOME/captures"
mkdir -p "$OUT"
fails=0

tm() { tmux -L "$SOCK" "$@"; }
cleanup() {
  tm kill-server 2>/dev/null || true
  if [ -z "${KEEP:-}" ]; then rm -rf "$COLLECTOR_SIM_HOME"; else echo "kept: $COLLECTOR_SIM_HOME"; fi
}
trap cleanup EXIT

capture() { tm capture-pane -p -t "$SESSION" -J; }
# wait_for TEXT [SECONDS]: poll the pane until TEXT shows (spaces and line breaks ignored)
wait_for() {
  local want="${1// /}" deadline=$((SECONDS + ${2:-10}))
  while [ $SECONDS -lt $deadline ]; do
    if capture | tr -d ' \n' | grep -qF -- "$want"; then return 0; fi
    sleep 0.1
  done
  return 1
}
check() {  # check LABEL TEXT [SECONDS]
  if wait_for "$2" "${3:-10}"; then echo "ok   $1"; else echo "FAIL $1: '$2' not on screen"; fails=$((fails + 1)); fi
}
shot() {  # shot NAME: save and print the pane
  capture > "$OUT/$1.txt"
  echo "----- $1 ($(tm display-message -p -t "$SESSION" '#{pane_width}x#{pane_height}')) -----"
  cat "$OUT/$1.txt"
  echo "-----"
}
# quit: Ctrl+Q, then wait for the app (and its tmux session) to go away
quit_app() {
  tm send-keys -t "$SESSION" C-q
  local deadline=$((SECONDS + 5))
  while tm has-session -t "$SESSION" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  if tm has-session -t "$SESSION" 2>/dev/null; then
    echo "FAIL app still running after Ctrl+Q"; fails=$((fails + 1)); tm kill-session -t "$SESSION"
  else
    echo "ok   Ctrl+Q quits ($1)"
  fi
}
say() { tm send-keys -t "$SESSION" -l -- "$1"; tm send-keys -t "$SESSION" Enter; }

# The replies, and what the engine says to them (the headless `run` is the reference).
REPLIES=(
  "您好,我是华信银行信用卡中心的客服专员王芳,工号W0321,请问是李娜女士本人吗?"
  "李女士,您的信用卡目前欠款9800元,已经逾期30天了。请问最近是遇到什么困难了吗?"
  "失业确实很不容易,我能理解您现在的压力。您现在每个月大概有多少收入呢?"
  "我们可以帮您申请分期还款,分6期,每个月还1700元左右,您看这样能承受吗?"
  "那第一期1700元,下个月10号之前还,可以吗?"
  "好的,我跟您确认一下:下个月10号前通过手机银行还第一期1700元。祝您早日找到工作,再见。"
)
printf '%s\n' "${REPLIES[@]}" > "$COLLECTOR_SIM_HOME/replies.txt"
mapfile -t DEBTOR < <("$CS" run "$SCENARIO" --seed "$SEED" --replies "$COLLECTOR_SIM_HOME/replies.txt" --json |
  python3 -c 'import json,sys; [print(t["debtor"][:8]) for t in json.load(sys.stdin)["turns"] if t["debtor"]]')

# a session that outlives the app sessions, so the tmux server never exits between them
tm new-session -d -s keep -x 20 -y 5 "sleep 600"

echo "== 1. a whole good call in $CS"
start=$(date +%s.%N)
tm new-session -d -s "$SESSION" -x $COLS -y $ROWS "'$CS' play $SCENARIO --seed $SEED"
check "case file shown" "开始通话"
echo "     first screen after $(python3 -c "print(round($(date +%s.%N) - $start, 2))") s (tmux start included)"
shot 1-case-file
tm send-keys -t "$SESSION" Enter
check "call screen, debtor speaks first: ${DEBTOR[0]}" "${DEBTOR[0]}"
for i in "${!REPLIES[@]}"; do
  say "${REPLIES[$i]}"
  check "turn $((i + 1)): debtor replied '${DEBTOR[$((i + 1))]}'" "${DEBTOR[$((i + 1))]}"
  if [ "$i" = 2 ]; then shot 2-call-in-progress; fi
done
check "call ended with a promise" "通话结束:达成还款承诺"
tm send-keys -t "$SESSION" Enter
check "debrief: outcome" "✓达成还款承诺"
check "debrief: passed" "通过"
check "debrief: all 8 steps" "通话步骤8/8"
shot 3-debrief
tm send-keys -t "$SESSION" e
check "export notified" "已导出"
ls "$COLLECTOR_SIM_HOME"/exports/*.json "$COLLECTOR_SIM_HOME"/exports/*.md >/dev/null 2>&1 \
  && echo "ok   exported: $(ls "$COLLECTOR_SIM_HOME"/exports | tr '\n' ' ')" || { echo "FAIL export files"; fails=$((fails + 1)); }
quit_app "from the debrief"

echo "== 2. a bad call: the red line is shown live"
tm new-session -d -s "$SESSION" -x $COLS -y $ROWS "'$CS' play $SCENARIO --seed $SEED"
check "case file" "开始通话"
tm send-keys -t "$SESSION" Enter
check "call" "${DEBTOR[0]}"
say "您好,我是华信银行信用卡中心的,请问是李娜女士吗?"
sleep 0.3
say "你再不还钱就要坐牢了,会留下案底。"
check "live red line" "红线·虚假法律后果"
shot 4-red-line
tm send-keys -t "$SESSION" Enter
check "debrief: failed" "未通过·触碰红线"
quit_app "from the debrief"

echo "== 3. kill -9 half-way, then play --resume"
tm new-session -d -s "$SESSION" -x $COLS -y $ROWS "'$CS' play $SCENARIO --seed $SEED; sleep 30"
check "case file" "开始通话"
tm send-keys -t "$SESSION" Enter
check "call" "${DEBTOR[0]}"
say "${REPLIES[0]}"; check "turn 1" "${DEBTOR[1]}"
say "${REPLIES[1]}"; check "turn 2" "${DEBTOR[2]}"
tm send-keys -t "$SESSION" -l -- "这句打了一半"
shell_pid=$(tm display-message -p -t "$SESSION" '#{pane_pid}')
pid=$(pgrep -P "$shell_pid" | head -1 || true)   # the app: the pane shell's child
if [ -n "$pid" ]; then kill -9 "$pid"; echo "ok   killed the app (pid $pid) with -9"; else echo "FAIL no app pid"; fails=$((fails + 1)); fi
sleep 0.5
tm kill-session -t "$SESSION" 2>/dev/null || true
tm new-session -d -s "$SESSION" -x $COLS -y $ROWS "'$CS' play --resume"
check "resumed: the replayed call is back" "已恢复未完成的通话"
check "resumed: last debtor line" "${DEBTOR[2]}"
shot 5-resumed
for i in 2 3 4 5; do
  say "${REPLIES[$i]}"
  check "turn $((i + 1)) after resume" "${DEBTOR[$((i + 1))]}"
done
tm send-keys -t "$SESSION" Enter
check "debrief after resume: same outcome as the headless run" "✓达成还款承诺"
quit_app "from the debrief"

echo "== 4. the picker at 80x24 (bare collector-sim)"
tm new-session -d -s "$SESSION" -x 80 -y 24 "'$CS'"
check "picker table" "个场景"
shot 6-picker-80x24
tm send-keys -t "$SESSION" -l -- "失联"
# as many rows as lost-contact scenarios in any language (the set grows; never a fixed number)
n_lost=$("$CS" list --json | python3 -c 'import json,sys; print(sum(s["persona"] == "lost_contact" for s in json.load(sys.stdin)))')
check "filter: $n_lost lost-contact scenarios" "$n_lost/"
tm send-keys -t "$SESSION" Enter
check "case file of a lost-contact scenario" "第三方"
tm send-keys -t "$SESSION" Enter
check "call" "第0轮"
tm send-keys -t "$SESSION" C-c
check "Ctrl+C during a call asks first" "通话还没有结束"
shot 7-quit-confirm-80x24
tm send-keys -t "$SESSION" y
deadline=$((SECONDS + 5))
while tm has-session -t "$SESSION" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
tm has-session -t "$SESSION" 2>/dev/null && { echo "FAIL still running"; fails=$((fails + 1)); } || echo "ok   Y leaves"

if [ "$fails" = 0 ]; then echo "SMOKE OK"; else echo "SMOKE FAILED: $fails check(s)"; exit 1; fi
