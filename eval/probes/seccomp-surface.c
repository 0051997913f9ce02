// SPDX-License-Identifier: MIT
/*
 * seccomp-surface PID: the syscalls the seccomp filters actually installed on task PID let through.
 *
 * The filters are read back from the kernel (PTRACE_SEIZE, PTRACE_INTERRUPT,
 * PTRACE_SECCOMP_GET_FILTER for index 0, 1, ... until ENOENT, PTRACE_DETACH; needs CAP_SYS_ADMIN
 * and no seccomp on the caller), then every classic BPF program is run for each syscall number
 * libseccomp can name, with arch = AUDIT_ARCH_X86_64, instruction_pointer = 0 and the six arguments
 * unknown: a jump that depends on an argument takes both branches. The kernel runs every filter and
 * takes the most restrictive action, so a call goes through only if every filter answers ALLOW or
 * LOG. Per syscall:
 *   always       every explored path of every filter allows;
 *   never        some filter has no allowing path;
 *   conditional  otherwise: some argument values get through.
 * Paths are explored without relating two tests of the same argument, so a superset of the feasible
 * paths is seen: "always" and "never" are exact, "conditional" may hold a few of either.
 * x32 (nr | 0x40000000, arch x86_64) and i386 (arch AUDIT_ARCH_I386) numbers are evaluated the same
 * way and counted, so a filter that forgot those ABIs shows; so are the numbers below 1024 that
 * libseccomp cannot name (syscalls newer than the library, or none): only a denylist lets them by.
 *
 * Output: one JSON object on stdout. Errors: one line on stderr naming the pid and the failed step,
 * exit 1. The task is always detached (the kernel also detaches it if this process dies).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILTERS 64
#define MAX_NR 1024
#define PATH_CAP 100000UL
#define X32_BIT 0x40000000U
#define SECCOMP_DATA_SIZE 64 /* sizeof(struct seccomp_data): what BPF_LEN loads */

struct filter {
	struct sock_filter *insn;
	unsigned short len;
};

/* A 32-bit value the program computed, or "depends on the syscall's arguments". */
struct val {
	uint32_t v;
	bool known;
};

struct regs {
	struct val a, x, m[BPF_MEMWORDS];
};

/* What the paths of one filter for one syscall ended in. */
struct outcome {
	bool allow, deny, cap_hit;
	unsigned long paths;
};

/* The answer for one (arch, nr) across all filters. */
enum reach { REACH_NEVER, REACH_CONDITIONAL, REACH_ALWAYS };

static int fail(pid_t pid, const char *step)
{
	fprintf(stderr, "seccomp-surface: pid %d: %s: %s\n", (int)pid, step, strerror(errno));
	return -1;
}

/* --- reading the filters --------------------------------------------------------------------- */

/* Waits up to 2 s for the stop PTRACE_INTERRUPT asks for; *sig: a signal to pass on at detach. */
static int wait_stop(pid_t pid, int *sig)
{
	struct timespec tick = {0, 1000000};
	int st;

	for (int ms = 0; ms < 2000; ms++) {
		pid_t r = waitpid(pid, &st, __WALL | WNOHANG);
		if (r < 0)
			return fail(pid, "waitpid");
		if (r == pid && WIFSTOPPED(st)) {
			/* A signal-delivery stop swallows the signal unless detach passes it on. */
			*sig = (st >> 16) == 0 ? WSTOPSIG(st) : 0;
			return 0;
		}
		if (r == pid) {
			errno = ESRCH;
			return fail(pid, "waitpid (task exited)");
		}
		nanosleep(&tick, NULL);
	}
	errno = ETIMEDOUT;
	return fail(pid, "PTRACE_INTERRUPT (not stopped within 2 s)");
}

/* Seccomp: of /proc/PID/status, to tell "no filter" from a failure when GET_FILTER says EINVAL. */
static int seccomp_mode(pid_t pid)
{
	char path[64], line[256];
	int mode = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	if (f)
		fclose(f);
	return mode;
}

/* The stopped task's filters, index 0 (the oldest) first; returns how many, or -1. */
static int get_filters(pid_t pid, struct filter *f)
{
	int n;

	for (n = 0; n < MAX_FILTERS; n++) {
		long len = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)(long)n, NULL);
		if (len < 0 && errno == ENOENT)
			return n;
		if (len < 0 && errno == EINVAL && n == 0 && seccomp_mode(pid) == 0)
			return 0; /* seccomp disabled: no filter to read */
		if (len >= 0 && (len == 0 || len > BPF_MAXINSNS))
			errno = EPROTO;
		if (len <= 0 || len > BPF_MAXINSNS)
			return fail(pid, "PTRACE_SECCOMP_GET_FILTER (count)");
		f[n].len = (unsigned short)len;
		f[n].insn = calloc((size_t)len, sizeof *f[n].insn);
		if (!f[n].insn)
			return fail(pid, "calloc");
		if (ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)(long)n, f[n].insn) != len)
			return fail(pid, "PTRACE_SECCOMP_GET_FILTER (program)");
	}
	errno = E2BIG;
	return fail(pid, "PTRACE_SECCOMP_GET_FILTER (more than 64 filters)");
}

static int read_filters(pid_t pid, struct filter *f)
{
	int n, sig = 0;

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
		return fail(pid, "PTRACE_SEIZE");
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0) {
		n = fail(pid, "PTRACE_INTERRUPT");
	} else if (wait_stop(pid, &sig) < 0) {
		n = -1;
	} else {
		n = get_filters(pid, f);
	}
	if (ptrace(PTRACE_DETACH, pid, NULL, (void *)(long)sig) < 0 && n >= 0)
		n = fail(pid, "PTRACE_DETACH");
	return n;
}

/* --- evaluating a classic BPF program -------------------------------------------------------- */

static bool supported(uint16_t code)
{
	switch (code) {
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_ALU | BPF_NEG:
	case BPF_JMP | BPF_JA:
		return true;
	}
	switch (BPF_CLASS(code)) {
	case BPF_ALU:
		switch (BPF_OP(code)) {
		case BPF_ADD:
		case BPF_SUB:
		case BPF_MUL:
		case BPF_DIV:
		case BPF_MOD:
		case BPF_AND:
		case BPF_OR:
		case BPF_XOR:
		case BPF_LSH:
		case BPF_RSH:
			return true;
		}
		return false;
	case BPF_JMP:
		switch (BPF_OP(code)) {
		case BPF_JEQ:
		case BPF_JGT:
		case BPF_JGE:
		case BPF_JSET:
			return true;
		}
		return false;
	}
	return false;
}

/* The kernel checked the programs when they were loaded; recheck what the evaluator relies on. */
static bool valid(const struct filter *f)
{
	for (unsigned pc = 0; pc < f->len; pc++) {
		const struct sock_filter *i = &f->insn[pc];
		unsigned rest = f->len - pc - 1u;

		if (!supported(i->code))
			return false;
		if (i->code == (BPF_JMP | BPF_JA) && i->k >= rest)
			return false;
		if (BPF_CLASS(i->code) == BPF_JMP && i->code != (BPF_JMP | BPF_JA) &&
		    (i->jt >= rest || i->jf >= rest))
			return false;
		if ((i->code == (BPF_LD | BPF_MEM) || i->code == (BPF_LDX | BPF_MEM) ||
		     i->code == BPF_ST || i->code == BPF_STX) &&
		    i->k >= BPF_MEMWORDS)
			return false;
		if (i->code == (BPF_LD | BPF_W | BPF_ABS) &&
		    (i->k % 4 || i->k >= SECCOMP_DATA_SIZE))
			return false;
	}
	return f->len > 0 && BPF_CLASS(f->insn[f->len - 1].code) == BPF_RET;
}

/* seccomp_data word at offset k: nr, arch, instruction_pointer (0), then the unknown arguments. */
static struct val load(uint32_t k, uint32_t nr, uint32_t arch)
{
	if (k == 0)
		return (struct val){nr, true};
	if (k == 4)
		return (struct val){arch, true};
	if (k < 16)
		return (struct val){0, true};
	return (struct val){0, false};
}

static uint32_t alu(uint16_t op, uint32_t a, uint32_t b)
{
	switch (op) {
	case BPF_ADD:
		return a + b;
	case BPF_SUB:
		return a - b;
	case BPF_MUL:
		return a * b;
	case BPF_DIV:
		return a / b;
	case BPF_MOD:
		return a % b;
	case BPF_AND:
		return a & b;
	case BPF_OR:
		return a | b;
	case BPF_XOR:
		return a ^ b;
	case BPF_LSH:
		return a << (b & 31);
	default:
		return a >> (b & 31); /* BPF_RSH */
	}
}

static bool jump_taken(uint16_t op, uint32_t a, uint32_t b)
{
	switch (op) {
	case BPF_JEQ:
		return a == b;
	case BPF_JGT:
		return a > b;
	case BPF_JGE:
		return a >= b;
	default:
		return (a & b) != 0; /* BPF_JSET */
	}
}

static void path_ends(struct outcome *o, uint32_t ret)
{
	uint32_t action = ret & SECCOMP_RET_ACTION_FULL;

	if (action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG)
		o->allow = true;
	else
		o->deny = true;
	o->paths++;
}

/* Runs the program from pc; a jump on an unknown value explores its true branch recursively. */
static void explore(const struct filter *f, unsigned pc, struct regs r, uint32_t nr, uint32_t arch,
		    struct outcome *o)
{
	for (;; pc++) {
		const struct sock_filter *i = &f->insn[pc];
		struct val src = BPF_SRC(i->code) == BPF_X ? r.x : (struct val){i->k, true};

		if (o->paths >= PATH_CAP) {
			o->cap_hit = true;
			return;
		}
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			r.a = load(i->k, nr, arch);
			continue;
		case BPF_LD | BPF_W | BPF_LEN:
			r.a = (struct val){SECCOMP_DATA_SIZE, true};
			continue;
		case BPF_LDX | BPF_W | BPF_LEN:
			r.x = (struct val){SECCOMP_DATA_SIZE, true};
			continue;
		case BPF_LD | BPF_IMM:
			r.a = (struct val){i->k, true};
			continue;
		case BPF_LDX | BPF_IMM:
			r.x = (struct val){i->k, true};
			continue;
		case BPF_LD | BPF_MEM:
			r.a = r.m[i->k];
			continue;
		case BPF_LDX | BPF_MEM:
			r.x = r.m[i->k];
			continue;
		case BPF_ST:
			r.m[i->k] = r.a;
			continue;
		case BPF_STX:
			r.m[i->k] = r.x;
			continue;
		case BPF_MISC | BPF_TAX:
			r.x = r.a;
			continue;
		case BPF_MISC | BPF_TXA:
			r.a = r.x;
			continue;
		case BPF_ALU | BPF_NEG:
			r.a.v = -r.a.v;
			continue;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			continue;
		case BPF_RET | BPF_K:
			return path_ends(o, i->k);
		case BPF_RET | BPF_A:
			if (r.a.known)
				return path_ends(o, r.a.v);
			/* An action computed from the arguments: it may go either way. */
			path_ends(o, SECCOMP_RET_ALLOW);
			return path_ends(o, SECCOMP_RET_KILL_PROCESS);
		}
		if (BPF_CLASS(i->code) == BPF_ALU) {
			uint16_t op = BPF_OP(i->code);
			/* Division by an X of 0: the program returns 0 (KILL_THREAD). */
			if ((op == BPF_DIV || op == BPF_MOD) && (!src.known || src.v == 0)) {
				path_ends(o, 0);
				if (src.known)
					return;
			}
			r.a = (struct val){src.known && r.a.known ? alu(op, r.a.v, src.v) : 0,
					   src.known && r.a.known};
			continue;
		}
		/* A conditional jump. */
		if (src.known && r.a.known) {
			pc += jump_taken(BPF_OP(i->code), r.a.v, src.v) ? i->jt : i->jf;
			continue;
		}
		explore(f, pc + 1 + i->jt, r, nr, arch, o);
		pc += i->jf;
	}
}

/* All filters for one syscall: allowed if every filter allows (the kernel keeps the strictest). */
static enum reach evaluate(const struct filter *f, int nf, uint32_t nr, uint32_t arch,
			   bool *cap_hit)
{
	bool conditional = false;

	for (int i = 0; i < nf; i++) {
		struct outcome o = {false, false, false, 0};
		struct regs r;

		memset(&r, 0, sizeof r);
		for (unsigned m = 0; m < BPF_MEMWORDS; m++)
			r.m[m].known = true;
		r.a.known = r.x.known = true;
		explore(&f[i], 0, r, nr, arch, &o);
		if (o.cap_hit) { /* unexplored paths may go either way */
			*cap_hit = true;
			o.allow = o.deny = true;
		}
		if (!o.allow)
			return REACH_NEVER;
		conditional |= o.deny;
	}
	return conditional ? REACH_CONDITIONAL : REACH_ALWAYS;
}

/* --- output ---------------------------------------------------------------------------------- */

/* Every number below MAX_NR of one ABI: its libseccomp name (NULL: none) and its reach. */
struct survey {
	char *name[MAX_NR];
	enum reach reach[MAX_NR];
};

static void survey(struct survey *s, const struct filter *f, int nf, uint32_t scmp_arch,
		   uint32_t audit_arch, uint32_t bit, bool *cap_hit)
{
	for (uint32_t nr = 0; nr < MAX_NR; nr++) {
		s->name[nr] = seccomp_syscall_resolve_num_arch(scmp_arch, (int)(nr | bit));
		s->reach[nr] = evaluate(f, nf, nr | bit, audit_arch, cap_hit);
	}
}

static void survey_free(struct survey *s)
{
	for (uint32_t nr = 0; nr < MAX_NR; nr++)
		free(s->name[nr]);
}

/* How many named (or unnamed) numbers have this reach; want < 0: every reach but never. */
static unsigned tally(const struct survey *s, bool named, int want)
{
	unsigned n = 0;

	for (uint32_t nr = 0; nr < MAX_NR; nr++)
		if (!s->name[nr] != named &&
		    (want < 0 ? s->reach[nr] != REACH_NEVER : s->reach[nr] == (enum reach)want))
			n++;
	return n;
}

static void print_names(const char *key, const struct survey *s, enum reach want)
{
	const char *sep = "";

	printf(", \"%s\": [", key);
	for (uint32_t nr = 0; nr < MAX_NR; nr++) {
		if (s->name[nr] && s->reach[nr] == want) {
			printf("%s\"%s\"", sep, s->name[nr]);
			sep = ", ";
		}
	}
	printf("]");
}

static void report(pid_t pid, const struct filter *f, int nf)
{
	static struct survey x64, x32, i386;
	bool cap_hit = false;

	survey(&x64, f, nf, SCMP_ARCH_X86_64, AUDIT_ARCH_X86_64, 0, &cap_hit);
	survey(&x32, f, nf, SCMP_ARCH_X32, AUDIT_ARCH_X86_64, X32_BIT, &cap_hit);
	survey(&i386, f, nf, SCMP_ARCH_X86, AUDIT_ARCH_I386, 0, &cap_hit);

	printf("{\"pid\": %d, \"filters\": %d, \"insns\": [", (int)pid, nf);
	for (int i = 0; i < nf; i++)
		printf("%s%u", i ? ", " : "", f[i].len);
	printf("], \"arch\": \"x86_64\", \"always\": %u, \"conditional\": %u, \"never\": %u",
	       tally(&x64, true, REACH_ALWAYS), tally(&x64, true, REACH_CONDITIONAL),
	       tally(&x64, true, REACH_NEVER));
	print_names("always_names", &x64, REACH_ALWAYS);
	print_names("conditional_names", &x64, REACH_CONDITIONAL);
	printf(", \"x32_allowed\": %u, \"i386_allowed\": %u, \"unnamed_allowed\": %u, "
	       "\"path_cap_hit\": %s}\n",
	       tally(&x32, true, -1), tally(&i386, true, -1), tally(&x64, false, -1),
	       cap_hit ? "true" : "false");
	survey_free(&x64);
	survey_free(&x32);
	survey_free(&i386);
}

int main(int argc, char **argv)
{
	struct filter f[MAX_FILTERS];
	char *end = NULL;
	long pid = 0;
	int nf;

	if (argc == 2)
		pid = strtol(argv[1], &end, 10);
	if (pid <= 0 || pid > INT32_MAX || !end || *end) {
		fprintf(stderr, "usage: seccomp-surface PID\n");
		return 2;
	}
	nf = read_filters((pid_t)pid, f);
	if (nf < 0)
		return 1;
	for (int i = 0; i < nf; i++) {
		if (!valid(&f[i])) {
			fprintf(stderr, "seccomp-surface: pid %ld: filter %d: bad program\n", pid,
				i);
			return 1;
		}
	}
	report((pid_t)pid, f, nf);
	return 0;
}
