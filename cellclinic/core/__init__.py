"""The house's plumbing, below every app but `lib`: the e-mail outbox, the rate limit, the
health and error pages, the request-body limit. Its models belong to the project's root app
(label `cellclinic`), so their tables and migrations keep their names
(`cellclinic/migrations`); `cellclinic/models.py` imports them so Django finds them."""
