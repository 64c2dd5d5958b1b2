"""The hasher for one-time passwords.

Django's default PBKDF2 runs a million rounds (about half a second here) because people choose
guessable passwords; stretching makes each guess cost. A one-time password is 12 characters drawn
at random from 54 (about 69 bits), so guessing it is hopeless even at a fraction of the rounds, and
at a million rounds creating the accounts of a 250-member organisation would take minutes. This
hasher runs 20,000 rounds. It is used only for passwords the app generates (accounts.rules); the
password a member chooses at first login goes through the default hasher, and Django re-hashes a
one-time password with the default hasher the moment it is used to sign in.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class OneTimePasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sha256_otp"
    iterations = 20_000
