/*
 * The commercial half of mediation: subscriber consent per purpose and
 * recipient, pseudonyms and aggregates (to come with the consent issue).
 *
 * This library is built and dependency-checked before it has code so that
 * its first line lands in a place where the rule already holds: it never
 * includes a header of mediation/lawful/ and never links liblawful.a, so
 * nothing on the commercial path can depend on who is under interception
 * (ETSI TS 101 331 clauses 4.6 to 4.9). tests/deps/ enforces both.
 */
#pragma once
