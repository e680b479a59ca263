// Package auth checks X-Auth-Token against wazo-auth the way xivo's
// AuthVerifier does: every protected request with a token asks wazo-auth
// `HEAD /0.1/token/<token>?scope=<acl>&tenant=<uuid>`; 204 allows it.
// Nothing is cached, so a revoked token stops working at once.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/rest"
	"github.com/wazo-platform/wazo-servicekit/tracecontext"
)

// Client asks wazo-auth whether a token carries an ACL.
type Client struct {
	base string
	host string
	port int
	http *http.Client
}

// New builds a client for the auth section of the config.
func New(cfg config.Auth) *Client {
	scheme := "http"
	if cfg.HTTPS {
		scheme = "https"
	}
	base := scheme + "://" + net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	if cfg.Prefix != nil && *cfg.Prefix != "" {
		base += "/" + strings.Trim(*cfg.Prefix, "/")
	}
	timeout := cfg.Timeout.Duration()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	return &Client{
		base: base,
		host: cfg.Host,
		port: cfg.Port,
		http: &http.Client{Timeout: timeout, Transport: transport, CheckRedirect: noRedirect},
	}
}

// noRedirect keeps a redirect as the answer: a token is never sent
// anywhere but the token resource of the configured wazo-auth.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// MaxTokenLength bounds a token; wazo-auth's are 36-character UUIDs.
const MaxTokenLength = 256

// ValidToken says whether token can be a wazo-auth token: 1 to
// MaxTokenLength letters, digits, '-' or '_'. Anything else (a '/', '.',
// '%', space or control character that could change the path of the
// token check) is refused with 401 without asking wazo-auth.
func ValidToken(token string) bool {
	if token == "" || len(token) > MaxTokenLength {
		return false
	}
	for i := 0; i < len(token); i++ {
		c := token[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Check returns nil when wazo-auth accepts token for acl (and tenant, when
// given), and otherwise the Wazo error to send: 401 for a token wazo-auth
// refuses, 503 when wazo-auth cannot be asked.
func (c *Client) Check(ctx context.Context, token, acl, tenant string) *rest.Error {
	if !ValidToken(token) {
		return unauthorized(token, acl, tenant, "not_found_or_expired")
	}
	q := url.Values{"scope": {acl}}
	if tenant != "" {
		q.Set("tenant", tenant)
	}
	target := c.base + "/0.1/token/" + url.PathEscape(token) + "?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, target, nil)
	if err != nil {
		return c.unreachable(err)
	}
	tracecontext.SetOutbound(req)
	resp, err := c.http.Do(req)
	if err != nil {
		return c.unreachable(err)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusOK:
		// No redirect is followed (see New), so this is the token resource
		// itself answering.
		return nil
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return c.unreachable(fmt.Errorf("wazo-auth answered %s to the token check: redirects are not followed", resp.Status))
	case http.StatusNotFound:
		return unauthorized(token, acl, tenant, "not_found_or_expired")
	case http.StatusForbidden:
		return unauthorized(token, acl, tenant, "missing_permission_or_invalid_tenant")
	default:
		return c.unreachable(fmt.Errorf("wazo-auth answered %s to the token check", resp.Status))
	}
}

func unauthorized(token, acl, tenant, reason string) *rest.Error {
	return rest.NewError(http.StatusUnauthorized, "unauthorized", "Unauthorized", map[string]any{
		"invalid_token":   rest.MaskToken(token),
		"reason":          reason,
		"required_access": acl,
		"tenant_uuid":     tenant,
	})
}

func (c *Client) unreachable(err error) *rest.Error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err // the URL holds the token: never echo it
	}
	return rest.NewError(http.StatusServiceUnavailable, "authentication-server-unreachable",
		"Authentication server unreachable", map[string]any{
			"auth_server_host": c.host,
			"auth_server_port": c.port,
			"original_error":   err.Error(),
		})
}

// Require protects next with acl. A request without a token, or with one
// that cannot be a wazo-auth token (see ValidToken), gets the 401 wazo-auth
// would give without asking it: the check of an empty token would ask for
// /0.1/token/, which is not a token resource.
func (c *Client) Require(acl string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e := c.Check(r.Context(), Token(r), acl, r.Header.Get("Wazo-Tenant")); e != nil {
			rest.WriteError(w, e)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Token is the request's token: the X-Auth-Token header, or the token query
// parameter some Wazo endpoints accept.
func Token(r *http.Request) string {
	if t := r.Header.Get("X-Auth-Token"); t != "" {
		return t
	}
	return r.URL.Query().Get("token")
}
