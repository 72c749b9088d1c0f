package flameconnect

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// cacheDoc is the part of MSAL's token cache JSON read without MSAL: the
// accounts and the access tokens. Reading it directly keeps Identity and a
// fresh --token free of any request (MSAL would fetch the OIDC metadata
// first). The layout is the one MSAL shares across languages.
type cacheDoc struct {
	AccessToken map[string]cachedAccessToken `json:"AccessToken"`
	Account     map[string]cachedAccount     `json:"Account"`
}

type cachedAccessToken struct {
	HomeAccountID string   `json:"home_account_id"`
	ClientID      string   `json:"client_id"`
	Secret        string   `json:"secret"`
	Target        string   `json:"target"`
	ExpiresOn     unixTime `json:"expires_on"`
}

type cachedAccount struct {
	HomeAccountID  string `json:"home_account_id"`
	LocalAccountID string `json:"local_account_id"`
}

// unixTime reads MSAL's timestamps: seconds since the epoch, written as a
// JSON string by MSAL Go and as a number by some other writers.
type unixTime struct{ time.Time }

func (u *unixTime) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %.20q: %w", s, err)
	}
	u.Time = time.Unix(n, 0)
	return nil
}

var errNoAccount = errors.New("no account in the token cache")

// parseCache reads MSAL's cache JSON.
func parseCache(data []byte) (cacheDoc, error) {
	var doc cacheDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return cacheDoc{}, fmt.Errorf("not MSAL cache JSON: %w", err)
	}
	return doc, nil
}

// account is the cache's one account. A cache the wizard wrote holds
// exactly one; several distinct ones mean the cache is not ours to read.
func (d cacheDoc) account() (cachedAccount, error) {
	var found cachedAccount
	for _, a := range d.Account {
		switch {
		case found.HomeAccountID == "":
			found = a
		case a.HomeAccountID != found.HomeAccountID || a.LocalAccountID != found.LocalAccountID:
			return cachedAccount{}, errors.New("several accounts in the token cache")
		}
	}
	if found.HomeAccountID == "" {
		return cachedAccount{}, errNoAccount
	}
	return found, nil
}

// freshAccessToken is the account's access token for the API scope that
// stays valid until at least now+minValid, if the cache holds one.
func (d cacheDoc) freshAccessToken(homeAccountID string, now time.Time, minValid time.Duration) (cachedAccessToken, bool) {
	var best cachedAccessToken
	for _, at := range d.AccessToken {
		if at.HomeAccountID != homeAccountID || at.ClientID != ClientID || at.Secret == "" || !hasScopeFold(at.Target, APIScope) {
			continue
		}
		if at.ExpiresOn.Before(now.Add(minValid)) {
			continue
		}
		if at.ExpiresOn.After(best.ExpiresOn.Time) {
			best = at
		}
	}
	return best, best.Secret != ""
}

// hasScopeFold reports whether the space-separated target holds scope;
// MSAL compares scopes case-insensitively.
func hasScopeFold(target, scope string) bool {
	for _, s := range strings.Fields(target) {
		if strings.EqualFold(s, scope) {
			return true
		}
	}
	return false
}

// maxIdentity bounds an identity: B2C object ids are 36-character GUIDs.
const maxIdentity = 128

// identitySafe accepts an identity the service vouched for before it is
// stored in the index: short, and made of characters object ids and
// subjects use, so no server can write control sequences there.
func identitySafe(s string) bool {
	if s == "" || len(s) > maxIdentity {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("-_.@:|", r):
		default:
			return false
		}
	}
	return true
}
