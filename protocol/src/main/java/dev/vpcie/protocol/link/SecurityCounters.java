package dev.vpcie.protocol.link;

/**
 * What the link refused because it could be an attack (see docs/security.md); a snapshot from
 * {@link LinkAgent#securityCounters()}. Every such frame is dropped; none ends a session.
 *
 * @param wrongTag         frames from a peer we have a session with whose verification tags (the
 *                         session's two epochs) did not match it
 * @param challengesSent   HELLOs claiming a restart of a live session, each answered by a challenge
 *                         (a KEEPALIVE asking the old peer to answer at once) instead of a new session
 * @param takeoversRefused challenges the old peer answered: the HELLO was not from it, the session stays
 * @param peersReplaced    challenges left unanswered: the old peer was gone, its session ended
 * @param unauthenticated  frames without an integrity check value while a group key is set
 * @param badIcv           frames whose integrity check value did not verify under the group or session key
 * @param announcesLimited DISCOVERs not answered because their source asked too often
 * @param otherGroup       frames tagged with another group (VLAN ID) than ours, refused before anything
 *                         in them is read: what a port that carries several groups (a trunk, or a
 *                         switch without VLAN filtering) lets through; also counted as foreign frames
 */
public record SecurityCounters(long wrongTag, long challengesSent, long takeoversRefused, long peersReplaced,
                               long unauthenticated, long badIcv, long announcesLimited, long otherGroup) {}
