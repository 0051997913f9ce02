-- SPDX-License-Identifier: MIT
-- The policyd store, schema version 1. Embedded into policyd at build time and applied to an
-- empty database; later versions add numbered files under migrations/ and bump user_version.
-- Times are milliseconds since the Unix epoch (UTC).

-- A profile is one workload identity: every run of the same workload lands on the same row.
CREATE TABLE profiles (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	-- learn: record behaviour, config unchanged; enforce: apply the approved version;
	-- complain: approved version in log-only form; off: neither record nor enforce.
	mode TEXT NOT NULL DEFAULT 'learn' CHECK (mode IN ('learn', 'enforce', 'complain', 'off')),
	-- How the name was found: annotation, kube-image, image, command.
	source TEXT NOT NULL,
	created INTEGER NOT NULL,
	-- Versions in policy_versions; NULL until compiled / approved.
	candidate_version INTEGER,
	approved_version INTEGER
);

-- One container lifetime, from precreate (or createRuntime) to poststop.
CREATE TABLE runs (
	id INTEGER PRIMARY KEY,
	profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
	container_id TEXT NOT NULL,
	-- The mode in force for this run (an annotation can override the profile's).
	mode TEXT NOT NULL,
	runtime TEXT,            -- runc, crun, ... (from the createRuntime hook)
	pid INTEGER,             -- host pid of the container's init at createRuntime
	mntns_id INTEGER,        -- the tracer's key: mount namespace id (or inode on old kernels)
	mntns_key_kind TEXT,     -- 'ns_id' or 'inode'
	created INTEGER NOT NULL,  -- precreate seen
	started INTEGER,           -- createRuntime seen
	stopped INTEGER,           -- poststop seen (or the run was found dead)
	-- NULL while running; 'stopped' after poststop; 'lost' when superseded without a poststop.
	exit_state TEXT CHECK (exit_state IN ('stopped', 'lost'))
);
CREATE INDEX runs_profile ON runs(profile_id);
-- At most one open run per container id.
CREATE UNIQUE INDEX runs_open_container ON runs(container_id) WHERE stopped IS NULL;

-- What a run was seen doing, one row per distinct thing:
--   kind         key                               detail
--   syscall      name (mkdir)                      arch: x86_64, i386, x32
--   file         real path in the container        access: read,write,create,truncate,...
--   file_failed  requested path                    access:ERRNO (read:ENOENT)
--   exec         resolved binary path              requested path
--   capability   CAP_CHOWN                         granted or denied
--   network      "bind inet stream 127.0.0.1:80"   ok or ERRNO
--   device       "c 1:3"                           path
--   secureexec   binary that gained privilege      requested path
-- phase: 'init' for the runtime's own set-up before it installs its seccomp filter, 'runtime'
-- for its set-up after that (what a generated filter must allow), 'workload' after the
-- workload's exec. count: times seen (syscalls: 1, they are a bitmap in the kernel).
CREATE TABLE observations (
	run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	key TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT '',
	phase TEXT NOT NULL DEFAULT 'workload' CHECK (phase IN ('init', 'runtime', 'workload')),
	count INTEGER NOT NULL DEFAULT 1,
	first_seen INTEGER NOT NULL,
	last_seen INTEGER NOT NULL,
	PRIMARY KEY (run_id, kind, key, detail, phase)
) WITHOUT ROWID;

-- Compiled policies. A candidate is recompiled after each learning run; approving one freezes
-- it. Every version is kept for history, diff and rollback.
CREATE TABLE policy_versions (
	id INTEGER PRIMARY KEY,
	profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
	version INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('candidate', 'approved', 'superseded', 'rejected')),
	created INTEGER NOT NULL,
	policy TEXT NOT NULL,   -- JSON, see schema/policy.schema.json
	UNIQUE (profile_id, version)
);

-- Who changed what and when: approvals, rejections, mode changes, rollbacks.
CREATE TABLE approvals (
	id INTEGER PRIMARY KEY,
	profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
	version INTEGER,
	action TEXT NOT NULL,
	uid INTEGER NOT NULL,
	at INTEGER NOT NULL,
	note TEXT
);
