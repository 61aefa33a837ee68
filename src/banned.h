/*
 * banned.h — functions holdfast never calls (after git's banned.h).
 *
 * Each has a bounded or safer replacement: snprintf, memcpy with a known
 * length, strtok_r.  Using one is a compile error.  Included last by
 * internal.h and cmd/cmd.h, after every system header.
 */
#ifndef HF_BANNED_H
#define HF_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_holdfast

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)

#endif
