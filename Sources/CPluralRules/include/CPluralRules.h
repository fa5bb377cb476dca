#ifndef CITYLINE_CPLURALRULES_H
#define CITYLINE_CPLURALRULES_H

/// The CLDR plural category ("zero", "one", "two", "few", "many" or "other") of `number` in `locale`
/// (a BCP 47 / ICU locale id such as "ar" or "es-MX"), from the system ICU's plural rules.
/// Writes a NUL-terminated keyword into `out` (at least 8 bytes) and returns its length,
/// or -1 when ICU has no rules for the locale or fails.
int cityline_plural_category(const char *locale, double number, char *out, int capacity);

/// The plural categories `locale` uses, space-separated ("one other"), into `out`; returns the length or -1.
int cityline_plural_keywords(const char *locale, char *out, int capacity);

#endif
