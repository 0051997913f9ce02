# Demo profile for tests/vm/apparmor-vm.sh: everything readable except /secret.
abi <abi/3.0>,

profile policyd-test-demo flags=(attach_disconnected,mediate_deleted) {
  /** r,
  deny /secret r,
  # busybox applets are symlinks: AppArmor sees the target. ix = stay in this profile.
  /bin/busybox ix,
  /dev/null rw,
}
