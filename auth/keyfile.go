package auth

import (
	"fmt"
	"os"
	"syscall"
)

// KeyFileProblem says what is wrong with the service key file at path, the
// one `wazo-auth-keys service update` writes (service_id and service_key,
// mode 0600, owned by the service's system user), or "" when nothing is:
// missing, not a regular file, readable or writable by group or others, or
// owned by another user than the one the daemon runs as.
func KeyFileProblem(path string) string {
	info, err := os.Lstat(path)
	if os.IsNotExist(err) {
		return fmt.Sprintf("the service key file %s does not exist: run `wazo-auth-keys service update` (it reads /etc/wazo-auth-keys/conf.d)", path)
	}
	if err != nil {
		return fmt.Sprintf("the service key file %s cannot be read: %v", path, err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Sprintf("the service key file %s is not a regular file (%s)", path, info.Mode().Type())
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Sprintf("the service key file %s is mode %04o, readable beyond its owner: chmod 0600 it (wazo-auth-keys writes it so)", path, perm)
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Sprintf("the service key file %s is owned by uid %d, not by the daemon's uid %d: chown it to the service user (wazo-auth-keys does, from system_user)", path, st.Uid, os.Geteuid())
	}
	return ""
}
