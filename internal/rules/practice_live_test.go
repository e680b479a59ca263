package rules

import (
	"os"
	"strings"
	"testing"
)

func TestLiveServiceKey(t *testing.T) {
	const cfg = "user: wazo-exampled\nauth:\n  key_file: /var/lib/wazo-auth-keys/wazo-exampled-key.yml\n"
	for _, c := range []struct {
		name string
		mode os.FileMode // 0: no key file
		want Status
		says string
	}{
		{"written by wazo-auth-keys", 0o600, Pass, "0600 and owned by wazo-exampled"},
		{"readable by the group", 0o640, Fail, "mode 0640"},
		{"not written", 0, Fail, "wazo-auth-keys service update"},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := installedRoot(t)
			if c.mode != 0 {
				key := root + "/var/lib/wazo-auth-keys/wazo-exampled-key.yml"
				write(t, key, "service_id: wazo-exampled\nservice_key: k\n")
				os.Chmod(key, c.mode)
				if os.Getuid() == 0 {
					os.Chown(key, svcUID(), svcUID())
				}
			}
			out := liveServiceKey(liveService(t, root, cfg), testEnv())
			if len(out) != 1 || out[0].Status != c.want || !strings.Contains(out[0].Message, c.says) {
				t.Fatalf("%+v, want %s saying %q", out, c.want, c.says)
			}
		})
	}
	root := installedRoot(t)
	if out := liveServiceKey(liveService(t, root, "user: wazo-exampled\n"), testEnv()); len(out) != 1 || out[0].Status != Pass {
		t.Errorf("no key_file: %+v, want pass (the service calls no API)", out)
	}
}

func TestLiveLogFormat(t *testing.T) {
	for _, c := range []struct {
		name, log string
		want      Status
	}{
		{"current", "2026-07-31 15:29:46,123 UTC [pid 12] [tid 14] (INFO) (wazo-exampled): ready\n", Pass},
		{"before the time zone and thread id", "2026-07-31 15:29:46,123 UTC [pid 12] [tid 14] (INFO) (x): a\n2026-08-01 10:00:00,001 [pid 12] (INFO) (wazo-exampled): ready\ncontinued traceback line\n", Fail},
		{"empty", "", Unknown},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := installedRoot(t)
			write(t, root+"/var/log/wazo-exampled.log", c.log)
			out := liveLogFormat(liveService(t, root, "user: wazo-exampled\n"), testEnv())
			if len(out) != 1 || out[0].Status != c.want {
				t.Fatalf("%+v, want %s", out, c.want)
			}
		})
	}
}

func TestLiveACLGranted(t *testing.T) {
	root := installedRoot(t)
	if out := liveACLGranted(liveService(t, root, ""), testEnv()); len(out) != 1 || out[0].Status != Pass {
		t.Errorf("installed policy: %+v", out)
	}
	write(t, root+"/etc/wazo-auth/conf.d/50-wazo-exampled.yml", "default_policies: [\n")
	if out := liveACLGranted(liveService(t, root, ""), testEnv()); len(out) != 1 || out[0].Status != Fail || !strings.Contains(out[0].Message, "does not parse") {
		t.Errorf("broken policy: %+v", out)
	}
	remove(t, root+"/etc/wazo-auth/conf.d/50-wazo-exampled.yml")
	if out := liveACLGranted(liveService(t, root, ""), testEnv()); len(out) != 1 || out[0].Status != Fail {
		t.Errorf("no policy: %+v", out)
	}
}
