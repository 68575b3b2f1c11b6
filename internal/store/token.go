package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/redis/go-redis/v9"
)

// Token is an API token of an account. Its secret is shown once, at
// creation; the store keeps only its SHA-256.
type Token struct {
	ID        string         `json:"id"`
	AccountID string         `json:"account_id"`
	Name      string         `json:"name"`
	Role      inventory.Role `json:"role"`
	// Prefix is the start of the secret, for telling tokens apart.
	Prefix    string    `json:"prefix"`
	CreatedAt time.Time `json:"created_at"`
}

// TokenPrefix starts every token secret.
const TokenPrefix = "nd_"

// CreateToken mints a token of the given role for an account and returns it
// with its secret: "nd_<account id>_<32 random bytes, base64url>". The
// account id inside the secret lets a lookup go straight to the account's
// keys (one Cluster slot).
func (s *Store) CreateToken(ctx context.Context, accountID, name string, role inventory.Role) (Token, string, error) {
	if !role.Valid() {
		return Token{}, "", inventory.Errorf(inventory.CodeInvalidField, "role %q is not one of owner, admin, viewer", role)
	}
	if strings.TrimSpace(name) == "" {
		return Token{}, "", inventory.Errorf(inventory.CodeMissingField, "name is required")
	}
	if err := inventory.ValidateText("name", name); err != nil {
		return Token{}, "", err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Token{}, "", err
	}
	secret := TokenPrefix + accountID + "_" + base64.RawURLEncoding.EncodeToString(b[:])
	k := accountKeys(accountID)
	t := Token{AccountID: accountID, Name: name, Role: role, Prefix: secret[:len(TokenPrefix)+len(accountID)+5], CreatedAt: s.now().UTC().Truncate(time.Second)}
	body, _ := json.Marshal(t)
	sum := hashSecret(secret)
	id, err := scriptToken.Run(ctx, s.rdb, []string{k.meta, k.tok, k.tokid}, sum, string(body)).Text()
	if err != nil {
		return Token{}, "", scriptError("create token", err)
	}
	t.ID = id
	return t, secret, nil
}

var scriptToken = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('account_not_found') end
local id = 'tok_' .. redis.call('HINCRBY', KEYS[1], 'tok_seq', 1)
local t = cjson.decode(ARGV[2])
t['id'] = id
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(t))
redis.call('HSET', KEYS[3], id, ARGV[1])
return id`)

func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// LookupToken returns the token whose secret is given. An unknown, revoked
// or malformed secret is unauthorized.
func (s *Store) LookupToken(ctx context.Context, secret string) (Token, error) {
	bad := inventory.Errorf(inventory.CodeUnauthorized, "the token is not valid")
	rest, ok := strings.CutPrefix(secret, TokenPrefix)
	if !ok {
		return Token{}, bad
	}
	acct, _, ok := strings.Cut(rest, "_")
	if !ok || acct == "" || len(acct) > 40 {
		return Token{}, bad
	}
	v, err := s.rdb.HGet(ctx, accountKeys(acct).tok, hashSecret(secret)).Result()
	if err == redis.Nil {
		return Token{}, bad
	}
	if err != nil {
		return Token{}, fmt.Errorf("look up token: %w", err)
	}
	return decodeToken(v)
}

// decodeToken decodes a stored token.
func decodeToken(raw string) (Token, error) {
	var t Token
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		return Token{}, fmt.Errorf("decode token: %w", err)
	}
	return t, nil
}

// Tokens lists an account's tokens (never their secrets), oldest first.
func (s *Store) Tokens(ctx context.Context, accountID string) ([]Token, error) {
	m, err := s.rdb.HGetAll(ctx, accountKeys(accountID).tok).Result()
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	out := make([]Token, 0, len(m))
	for _, v := range m {
		var t Token
		if json.Unmarshal([]byte(v), &t) == nil {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return idLess(out[i].ID, out[j].ID) })
	return out, nil
}

// RevokeToken deletes a token; it stops working at once.
func (s *Store) RevokeToken(ctx context.Context, accountID, id string) error {
	k := accountKeys(accountID)
	n, err := scriptRevoke.Run(ctx, s.rdb, []string{k.tok, k.tokid}, id).Int()
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if n == 0 {
		return inventory.Errorf(inventory.CodeNotFound, "token %s not found", id)
	}
	return nil
}

var scriptRevoke = redis.NewScript(`
local sum = redis.call('HGET', KEYS[2], ARGV[1])
if not sum then return 0 end
redis.call('HDEL', KEYS[1], sum)
redis.call('HDEL', KEYS[2], ARGV[1])
return 1`)

// idLess orders ids like "ext_9" before "ext_10".
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
