// A thin shim over ICU's C plural-rules API (unicode/upluralrules.h from the system libicu).
// ICU versions its symbol names (uplrules_open_72, …) through macros in its headers; compiling this file
// against the installed headers keeps Swift independent of the ICU version.
#include "CPluralRules.h"
#include <unicode/upluralrules.h>
#include <unicode/uenum.h>

int cityline_plural_category(const char *locale, double number, char *out, int capacity) {
    if (locale == NULL || out == NULL || capacity < 8) return -1;
    UErrorCode status = U_ZERO_ERROR;
    UPluralRules *rules = uplrules_open(locale, &status);
    if (U_FAILURE(status) || rules == NULL) return -1;
    UChar keyword[16];
    int32_t length = uplrules_select(rules, number, keyword, 16, &status);
    uplrules_close(rules);
    if (U_FAILURE(status) || length <= 0 || length >= capacity) return -1;
    for (int32_t i = 0; i < length; i++) {
        if (keyword[i] > 0x7F) return -1; // keywords are ASCII
        out[i] = (char)keyword[i];
    }
    out[length] = '\0';
    return length;
}

int cityline_plural_keywords(const char *locale, char *out, int capacity) {
    if (locale == NULL || out == NULL || capacity < 1) return -1;
    UErrorCode status = U_ZERO_ERROR;
    UPluralRules *rules = uplrules_open(locale, &status);
    if (U_FAILURE(status) || rules == NULL) return -1;
    UEnumeration *keywords = uplrules_getKeywords(rules, &status);
    int written = 0;
    const char *keyword;
    int32_t length;
    while (U_SUCCESS(status) && keywords != NULL && (keyword = uenum_next(keywords, &length, &status)) != NULL) {
        if (written + length + 2 > capacity) { written = -1; break; }
        if (written > 0) out[written++] = ' ';
        for (int32_t i = 0; i < length; i++) out[written++] = keyword[i];
    }
    if (keywords != NULL) uenum_close(keywords);
    uplrules_close(rules);
    if (U_FAILURE(status) || written < 0) return -1;
    out[written] = '\0';
    return written;
}
