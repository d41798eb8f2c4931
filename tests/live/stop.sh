# Sourced by the live tests: stop a background process and collect its exit
# status without ever waiting unbounded. A process still alive after the
# bound is killed (SIGKILL) and reported as status 124, so a shutdown that
# hangs fails the test with its logs instead of stalling the suite.
#
#   stop_within SECONDS SIGNAL PID   -> the process's exit status, or 124
stop_within() {
	_sw_t=$(($1 * 10)) _sw_sig=$2 _sw_pid=$3
	kill "-$_sw_sig" "$_sw_pid" 2>/dev/null
	while [ "$_sw_t" -gt 0 ] && kill -0 "$_sw_pid" 2>/dev/null; do
		# a zombie still answers kill -0: only its parent (this shell) reaps it
		[ "$(ps -o stat= -p "$_sw_pid" 2>/dev/null | cut -c1)" = Z ] && break
		sleep 0.1
		_sw_t=$((_sw_t - 1))
	done
	if [ "$_sw_t" -le 0 ]; then
		echo "stop_within: process $_sw_pid still running $1 s after SIG$_sw_sig: killed" >&2
		kill -9 "$_sw_pid" 2>/dev/null
		wait "$_sw_pid" 2>/dev/null
		return 124
	fi
	wait "$_sw_pid" 2>/dev/null
}
