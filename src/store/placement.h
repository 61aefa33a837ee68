/*
 * placement.h — where the shards of a version go (subsystem interface).
 */
#ifndef HF_PLACEMENT_H
#define HF_PLACEMENT_H

#include "internal.h"

struct place_cand {
    const char *name;      /* stable backend name: the hash input */
    const char *domain;
    double weight;         /* > 0; relative capacity */
};

/*
 * Choose a backend (an index into @c) for each of @nshards shards of the
 * version @key, into @out.  Shards go to distinct domains while there are
 * enough; with fewer domains they spread as evenly as possible.
 * Errors: HF_ENOPLACE when @n is 0.
 */
HF_HIDDEN enum hf_err placement_choose(const struct place_cand *c, size_t n,
                                       const uint8_t key[16], unsigned nshards,
                                       unsigned *out);

/*
 * Choose a backend for one replacement shard of @key, given the backends
 * @used (indices into @c) holding its other @nused shards: the best-ranked
 * backend in a domain holding none of them, else in the domain holding
 * fewest, preferring there a backend that holds none of them.
 * Errors: HF_ENOPLACE when @n is 0.
 */
HF_HIDDEN enum hf_err placement_replace(const struct place_cand *c, size_t n,
                                        const uint8_t key[16], const unsigned *used,
                                        unsigned nused, unsigned *out);

/*
 * How many whole domains may be lost without losing data, for shards in
 * the domains @domains[0..nshards) (strings compared by value) with @m
 * parity shards.
 */
HF_HIDDEN int placement_tolerance(const char *const *domains, unsigned nshards, unsigned m);

#endif
