package provider

// Input builds the submission of a scripted sign-in: the login in the
// login field, the password in every password field.
func (s Schema) Input(login, password string) Input {
	in := Input{}
	for _, f := range s {
		switch {
		case f.Kind == Password:
			in[f.Name] = password
		case f.Name == s.Login():
			in[f.Name] = login
		}
	}
	return in
}
