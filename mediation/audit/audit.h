/*
 * The tamper-evident mediation log (to come with the audit issue): every
 * decision of the lawful and commercial halves as a leaf of an RFC 6962
 * Merkle tree with signed checkpoints.
 *
 * Built and dependency-checked before it has code: it uses no other
 * sluice library, so both halves can record into it without either one
 * reaching the other through it. tests/deps/ enforces that.
 */
#pragma once
