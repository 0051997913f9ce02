// SPDX-License-Identifier: MIT
/*
 * policyd-landlock-shim RULES -- COMMAND...: the Landlock entry shim. precreate bind-mounts it
 * (and RULES) read-only into a container and puts it in front of process.args; it applies the
 * approved ruleset at the best ABI the kernel offers, then execs the original command as the
 * same pid. Static, libc only, and it fails closed: a ruleset it cannot apply stops the start.
 *
 * RULES, one per line ('#' comments):
 *   fs LETTERS PATH   r read files, d list directories, w write, t truncate, c create and
 *                     remove entries (directories), x execute, i device ioctls; PATH and below
 *   bind PORT         TCP bind (ABI 4+)
 *   connect PORT      TCP connect (ABI 4+)
 *
 * An executable file rule also lets the kernel open that program's ELF interpreter (PT_INTERP)
 * for execution: exec of a dynamically linked program opens ld.so with FMODE_EXEC, which Landlock
 * checks as EXECUTE, and the tracer never sees that open (the kernel makes it, not a syscall).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/landlock.h>

/* Newer than Debian 12's kernel headers. */
#define FS_REFER (1ULL << 13)
#define FS_TRUNCATE (1ULL << 14)
#define FS_IOCTL_DEV (1ULL << 15)
#define NET_BIND_TCP (1ULL << 0)
#define NET_CONNECT_TCP (1ULL << 1)
#define RULE_NET_PORT 2
#define SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define SCOPE_SIGNAL (1ULL << 1)
#define FLAG_VERSION (1U << 0)

struct ruleset_attr {
	uint64_t handled_access_fs, handled_access_net, scoped;
};
struct net_port_attr {
	uint64_t allowed_access, port;
};
struct path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

#define FS_FILE (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
		 LANDLOCK_ACCESS_FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV)

static int fail(const char *what)
{
	fprintf(stderr, "policyd-landlock-shim: %s: %s\n", what, strerror(errno));
	return 126;
}

static uint64_t fs_rights(const char *letters, int abi)
{
	uint64_t a = 0;

	for (const char *l = letters; *l; l++) {
		switch (*l) {
		case 'r': a |= LANDLOCK_ACCESS_FS_READ_FILE; break;
		case 'd': a |= LANDLOCK_ACCESS_FS_READ_DIR; break;
		case 'w': a |= LANDLOCK_ACCESS_FS_WRITE_FILE; break;
		case 't': a |= FS_TRUNCATE; break;
		case 'x': a |= LANDLOCK_ACCESS_FS_EXECUTE; break;
		case 'i': a |= FS_IOCTL_DEV; break;
		case 'c':
			a |= LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_DIR |
			     LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REMOVE_FILE |
			     LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_MAKE_FIFO |
			     LANDLOCK_ACCESS_FS_MAKE_SOCK;
			if (abi >= 2)
				a |= FS_REFER;
			break;
		}
	}
	return a;
}

/* PT_INTERP of the ELF file at PATH into BUF; 0 if it has one, -1 if not (static, not ELF). */
static int elf_interpreter(const char *path, char *buf, size_t size)
{
	unsigned char ident[EI_NIDENT];
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = -1;
	uint64_t phoff, off = 0, len = 0;
	unsigned phnum, phentsize;

	if (fd < 0)
		return -1;
	if (pread(fd, ident, sizeof(ident), 0) != (ssize_t)sizeof(ident) || memcmp(ident, ELFMAG, SELFMAG) != 0)
		goto out;
	if (ident[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;
		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			goto out;
		phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
	} else if (ident[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;
		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			goto out;
		phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
	} else {
		goto out;
	}
	for (unsigned i = 0; i < phnum && i < 256 && !len; i++) {
		if (ident[EI_CLASS] == ELFCLASS64) {
			Elf64_Phdr ph;
			if (phentsize < sizeof(ph) || pread(fd, &ph, sizeof(ph), (off_t)(phoff + (uint64_t)i * phentsize)) != (ssize_t)sizeof(ph))
				goto out;
			if (ph.p_type == PT_INTERP)
				off = ph.p_offset, len = ph.p_filesz;
		} else {
			Elf32_Phdr ph;
			if (phentsize < sizeof(ph) || pread(fd, &ph, sizeof(ph), (off_t)(phoff + (uint64_t)i * phentsize)) != (ssize_t)sizeof(ph))
				goto out;
			if (ph.p_type == PT_INTERP)
				off = ph.p_offset, len = ph.p_filesz;
		}
	}
	if (len < 2 || len > size || pread(fd, buf, len, (off_t)off) != (ssize_t)len || buf[len - 1] != '\0')
		goto out;
	found = 0;
out:
	close(fd);
	return found;
}

static uint64_t fs_handled(int abi)
{
	uint64_t all = (1ULL << 13) - 1; /* ABI 1: EXECUTE .. MAKE_SYM */

	if (abi >= 2)
		all |= FS_REFER;
	if (abi >= 3)
		all |= FS_TRUNCATE;
	if (abi >= 5)
		all |= FS_IOCTL_DEV;
	return all;
}

int main(int argc, char **argv)
{
	struct ruleset_attr attr = {0};
	char line[4200];
	FILE *rules;
	int abi, fd, sep = 0;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
	if (sep != 2 || sep + 1 >= argc) {
		fprintf(stderr, "usage: policyd-landlock-shim RULES -- COMMAND [ARG]...\n");
		return 125;
	}
	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, FLAG_VERSION);
	if (abi < 1)
		return fail("this kernel offers no Landlock");

	attr.handled_access_fs = fs_handled(abi);
	if (abi >= 4)
		attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP;
	if (abi >= 6)
		attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL;
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr,
			  abi >= 6 ? sizeof(attr) : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t), 0);
	if (fd < 0)
		return fail("landlock_create_ruleset");

	rules = fopen(argv[1], "re");
	if (!rules)
		return fail(argv[1]);
	while (fgets(line, sizeof(line), rules)) {
		char kind[16], arg[16], path[4097];
		line[strcspn(line, "\n")] = '\0';
		if (!*line || *line == '#')
			continue;
		if (sscanf(line, "fs %15s %4096[^\n]", arg, path) == 2) {
			struct path_beneath_attr pb = {0};
			struct stat st = {0};
			int pfd = open(path, O_PATH | O_CLOEXEC);
			if (pfd < 0)
				continue; /* gone from this image: nothing to allow */
			pb.allowed_access = fs_rights(arg, abi) & attr.handled_access_fs;
			if (fstat(pfd, &st) == 0 && !S_ISDIR(st.st_mode))
				pb.allowed_access &= FS_FILE;
			pb.parent_fd = pfd;
			if (pb.allowed_access &&
			    syscall(SYS_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
				return fail(path);
			close(pfd);
			if ((pb.allowed_access & LANDLOCK_ACCESS_FS_EXECUTE) && S_ISREG(st.st_mode) &&
			    elf_interpreter(path, path, sizeof(path)) == 0 &&
			    (pfd = open(path, O_PATH | O_CLOEXEC)) >= 0) {
				pb.allowed_access = (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE) &
						    attr.handled_access_fs;
				pb.parent_fd = pfd;
				if (syscall(SYS_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
					return fail(path);
				close(pfd);
			}
		} else if (sscanf(line, "%15s %15s", kind, arg) == 2 &&
			   (strcmp(kind, "bind") == 0 || strcmp(kind, "connect") == 0)) {
			struct net_port_attr np = {
				.allowed_access = strcmp(kind, "bind") == 0 ? NET_BIND_TCP : NET_CONNECT_TCP,
				.port = strtoull(arg, NULL, 10),
			};
			if (abi >= 4 && syscall(SYS_landlock_add_rule, fd, RULE_NET_PORT, &np, 0) < 0)
				return fail(line);
		} else {
			errno = EINVAL;
			return fail(line);
		}
	}
	fclose(rules);
	/* Landlock needs no_new_privs (or CAP_SYS_ADMIN, which the policy dropped). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail("no_new_privs");
	if (syscall(SYS_landlock_restrict_self, fd, 0) < 0)
		return fail("landlock_restrict_self");
	close(fd);
	execvp(argv[sep + 1], argv + sep + 1);
	fprintf(stderr, "policyd-landlock-shim: cannot execute '%s': %s\n", argv[sep + 1], strerror(errno));
	return 127;
}
