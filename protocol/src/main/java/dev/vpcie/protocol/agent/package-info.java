/**
 * Run to completion: {@link dev.vpcie.protocol.agent.AgentLoop} is one thread whose duty cycle
 * polls every {@link dev.vpcie.protocol.agent.AgentWork} it serves (the interconnect transport and
 * its links, device models and their timers, the NICs' wires, TAPs) and does all the work each
 * brings; when a cycle finds nothing it spins briefly, then blocks in one {@code ppoll} over every
 * descriptor it serves plus an eventfd that other threads raise. Other threads reach the loop only
 * through {@link dev.vpcie.protocol.agent.AgentLoop#execute} and
 * {@link dev.vpcie.protocol.agent.AgentLoop#call}: nothing on the data path hands work to another
 * thread or waits.
 */
package dev.vpcie.protocol.agent;
