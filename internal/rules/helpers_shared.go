package rules

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/debiandata"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// fetchSpec GETs <base>/<ver>/api/api.yml for the known versions and
// returns the first document served.
func fetchSpec(env *LiveEnv, client *http.Client, base string) (map[string]any, string, error) {
	var lastErr error
	for _, v := range apiVersions {
		u := base + "/" + v + "/api/api.yml"
		req, err := http.NewRequestWithContext(env.Ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, u, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, u, err // nothing listens: no point trying other versions
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		if err != nil {
			return nil, u, err
		}
		if resp.StatusCode == http.StatusNotFound {
			lastErr = fmt.Errorf("%s: 404", u)
			continue
		}
		if resp.StatusCode != http.StatusOK {
			return nil, u, fmt.Errorf("%s: HTTP %d", u, resp.StatusCode)
		}
		m, err := parse.YAMLMap(u, body)
		return m, u, err
	}
	return nil, base, lastErr
}

// liveUserEntry is the passwd entry of the model's service user.
func liveUserEntry(s *LiveService) (*parse.PasswdEntry, []Finding) {
	user := s.user()
	if !user.Known() {
		return nil, []Finding{unknownFact("the service user", user.Unknown)}
	}
	u := s.seen().Account(user.Value)
	if !u.Known() {
		return nil, []Finding{unknown(u.Unknown)}
	}
	if u.Value == nil {
		return nil, []Finding{fail("/etc/passwd", 0, fmt.Sprintf("no passwd entry for %s (the service user: %s)", user.Value, user.Source))}
	}
	return u.Value, nil
}

// logFile is the path the daemon logs to (see repo.Service.LogFile).
func logFile(s *repo.Service) string { return s.LogFile() }

// ownedBy judges whether the account can write a path: owner, or group
// with group-write.
func ownedBy(s *LiveService, p string, u *parse.PasswdEntry) Finding {
	st := s.seen().File(p)
	if !st.Known() {
		return unknown(st.Unknown)
	}
	o := st.Value
	if !o.Exists {
		return fail(p, 0, p+" does not exist: the daemon cannot create it after dropping root")
	}
	switch {
	case o.Mode.Perm()&0o002 != 0:
		return fail(p, 0, fmt.Sprintf("%s is world-writable (%v): any local user can forge or fill it", p, o.Mode.Perm()))
	case u.UID == 0:
		return pass(fmt.Sprintf("%s: the service user is root, which can write it (whether it should is user-not-root's question)", p))
	case o.UID == u.UID:
		return pass(fmt.Sprintf("%s is owned by %s (%v)", p, u.Name, o.Mode.Perm()))
	case o.GID == u.GID && o.Mode.Perm()&0o020 != 0:
		return pass(fmt.Sprintf("%s is group-writable for %s's group (%v)", p, u.Name, o.Mode.Perm()))
	}
	return fail(p, 0, fmt.Sprintf("%s is owned by uid %d gid %d mode %v: %s (uid %d) cannot write it", p, o.UID, o.GID, o.Mode.Perm(), u.Name, u.UID))
}

func unitPath(s *repo.Service) string {
	if s.Unit != nil {
		return s.Unit.Path
	}
	return "debian/" + s.Name + ".service"
}

// unitSkipsWhenDisabled reports whether the unit does not start while
// /var/lib/wazo/disabled exists (wazo-service disable).
func unitSkipsWhenDisabled(s *repo.Service) bool {
	if s.Unit == nil {
		return false
	}
	for _, v := range s.Unit.Unit.All("Unit", "ConditionPathExists") {
		if strings.TrimSpace(v.Text) == "!/var/lib/wazo/disabled" {
			return true
		}
	}
	return false
}

func upstreamOf(v string) string { return debiandata.UpstreamVersion(v) }

// apiVersions are the basePaths Wazo daemons use.
var apiVersions = []string{"1.0", "1.1", "0.1", "0.2"}
