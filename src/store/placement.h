/*
 * placement.h — where the shards of a version go (subsystem interface).
 */
#ifndef HF_PLACEMENT_H
#define HF_PLACEMENT_H

#include "internal.h"

#define PLACE_NATTR 3      /* provider, site, jurisdiction */

struct place_cand {
    const char *name;      /* stable backend name: the hash input */
    const char *domain;
    double weight;         /* > 0; relative capacity */
    const char *attr[PLACE_NATTR];  /* NULL or "" when unset: no limit */
};

/*
 * Choose a backend (an index into @c) for each of @nshards shards of the
 * version @key, into @out.  Shards go to distinct domains while there are
 * enough; with fewer domains they spread as evenly as possible.  No value
 * of an attribute (provider, site, jurisdiction) gets more than @cap
 * shards (m: losing it loses nothing) whenever the backends allow it.
 * Errors: HF_ENOPLACE when @n is 0.
 */
HF_HIDDEN enum hf_err placement_choose(const struct place_cand *c, size_t n,
                                       const uint8_t key[16], unsigned nshards, unsigned cap,
                                       unsigned *out);

/*
 * Choose a backend for one replacement shard of @key, given the backends
 * @used (indices into @c) holding its other @nused shards: one that keeps
 * every attribute value at most @cap shards where possible; then the
 * best-ranked backend in a domain holding none of them, else in the domain
 * holding fewest, preferring there a backend that holds none of them.
 * Errors: HF_ENOPLACE when @n is 0.
 */
HF_HIDDEN enum hf_err placement_replace(const struct place_cand *c, size_t n,
                                        const uint8_t key[16], const unsigned *used,
                                        unsigned nused, unsigned cap, unsigned *out);

/* Attribute values of @c[pick[0..npick)] holding more than @cap shards. */
HF_HIDDEN unsigned placement_over_cap(const struct place_cand *c, const unsigned *pick,
                                      unsigned npick, unsigned cap);

/*
 * How many whole domains may be lost without losing data, for shards in
 * the domains @domains[0..nshards) (strings compared by value) with @m
 * parity shards.
 */
HF_HIDDEN int placement_tolerance(const char *const *domains, unsigned nshards, unsigned m);

#endif
