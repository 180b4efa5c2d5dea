package dev.vpcie.loopback;

/**
 * The end-to-end contract over an in-process cable ({@code MemoryTransport}) through the real
 * link layer on both sides: discovery, sessions, sequence numbers and acknowledgements, frames
 * with coalesced TLPs, the endpoint's and the VRC's transaction layers. No root needed.
 */
class MemoryLinkEndToEndTest extends EndToEndContract {
    @Override Wire wire() { return Wire.memory(); }
}
