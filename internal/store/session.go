package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/redis/go-redis/v9"
)

// Portal sessions (under the account's hash tag):
//
//	nd:{acct:A}:sess:<sha256 of the session secret>  hash  tok (the token's
//	    SHA-256, so revoking the token ends the session), csrf, flash;
//	    expires SessionTTL after its last use
//
// The cookie holds "<account id>.<session secret>"; the secret is never
// stored.

// SessionTTL is how long a portal session lives without being used.
const SessionTTL = 12 * time.Hour

func (k keys) session(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return k.prefix + "sess:" + hex.EncodeToString(h[:])
}

// Session is a signed-in portal session.
type Session struct {
	Token Token
	// CSRF is the session's anti-forgery token, sent back by every form.
	CSRF string
	// Flash is the message of the previous action, shown once.
	Flash string
}

func randomToken() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// CreateSession signs in with an API token's secret and returns the
// session's cookie value and its CSRF token.
func (s *Store) CreateSession(ctx context.Context, tokenSecret string) (cookie string, sess Session, err error) {
	tok, err := s.LookupToken(ctx, tokenSecret)
	if err != nil {
		return "", Session{}, err
	}
	k := accountKeys(tok.AccountID)
	secret, csrf := randomToken(), randomToken()
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, k.session(secret), "tok", hashSecret(tokenSecret), "csrf", csrf, "flash", "")
		p.Expire(ctx, k.session(secret), SessionTTL)
		return nil
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("create session: %w", err)
	}
	return tok.AccountID + "." + secret, Session{Token: tok, CSRF: csrf}, nil
}

// Session returns the session of a cookie value, takes its flash message
// and extends its life. An unknown or expired session, or one whose token
// was revoked, is unauthorized.
func (s *Store) Session(ctx context.Context, cookie string) (Session, error) {
	bad := inventory.Errorf(inventory.CodeUnauthorized, "not signed in")
	acct, secret, ok := strings.Cut(cookie, ".")
	if !ok || acct == "" || len(acct) > 40 || secret == "" {
		return Session{}, bad
	}
	k := accountKeys(acct)
	key := k.session(secret)
	p := s.rdb.TxPipeline()
	get := p.HMGet(ctx, key, "tok", "csrf", "flash")
	p.HSet(ctx, key, "flash", "")
	p.Expire(ctx, key, SessionTTL)
	if _, err := p.Exec(ctx); err != nil {
		return Session{}, fmt.Errorf("read session: %w", err)
	}
	v := get.Val()
	sum, _ := v[0].(string)
	if sum == "" {
		s.rdb.Del(ctx, key) // the HSET above made a stub
		return Session{}, bad
	}
	raw, err := s.rdb.HGet(ctx, k.tok, sum).Result()
	if err == redis.Nil {
		s.rdb.Del(ctx, key)
		return Session{}, bad
	}
	if err != nil {
		return Session{}, fmt.Errorf("read session token: %w", err)
	}
	t, err := decodeToken(raw)
	if err != nil {
		return Session{}, err
	}
	csrf, _ := v[1].(string)
	flash, _ := v[2].(string)
	return Session{Token: t, CSRF: csrf, Flash: flash}, nil
}

// SetFlash leaves a message for the session's next page.
func (s *Store) SetFlash(ctx context.Context, cookie, msg string) error {
	acct, secret, _ := strings.Cut(cookie, ".")
	key := accountKeys(acct).session(secret)
	return s.rdb.Eval(ctx, `if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'flash', ARGV[1]) end return 0`, []string{key}, msg).Err()
}

// DeleteSession signs out.
func (s *Store) DeleteSession(ctx context.Context, cookie string) error {
	acct, secret, _ := strings.Cut(cookie, ".")
	return s.rdb.Del(ctx, accountKeys(acct).session(secret)).Err()
}
