package dev.vpcie.vrc;

/** The result of one read: how it ended and the value (all-ones in the access width unless it succeeded). */
public record Access(Outcome outcome, long value) {}
