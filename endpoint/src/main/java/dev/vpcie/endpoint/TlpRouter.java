package dev.vpcie.endpoint;

import dev.vpcie.devices.config.ConfigSpace;
import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.tlp.CfgRead;
import dev.vpcie.protocol.tlp.CfgWrite;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.Completions;
import dev.vpcie.protocol.tlp.ConfigType;
import dev.vpcie.protocol.tlp.IoRead;
import dev.vpcie.protocol.tlp.IoWrite;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Message;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.Set;

/**
 * Where each TLP from the owning VRC goes, decided on the endpoint's agent thread without blocking
 * (PCIe base spec 2.2.4 routing, 2.3.1 request handling):
 *
 * <table>
 *   <caption>Routing</caption>
 *   <tr><th>TLP</th><th>Goes to</th><th>Otherwise</th></tr>
 *   <tr><td>CfgRd0/CfgWr0, device 0</td><td>the function with that number</td><td>UR (no such function)</td></tr>
 *   <tr><td>CfgRd0/CfgWr0, device 1..31</td><td>—</td><td>UR: enumeration sees an empty slot, not a ghost</td></tr>
 *   <tr><td>CfgRd1/CfgWr1</td><td>—</td><td>UR: an endpoint is no bridge</td></tr>
 *   <tr><td>MRd/MWr</td><td>the function whose memory BAR holds the address (Memory Space Enable set)</td>
 *       <td>MRd: UR; MWr: counted and dropped (posted)</td></tr>
 *   <tr><td>IORd/IOWr</td><td>the function whose I/O BAR holds the address (I/O Space Enable set)</td><td>UR</td></tr>
 *   <tr><td>MWr with EP (poisoned)</td><td>—</td><td>counted and dropped: its data must not be used</td></tr>
 *   <tr><td>Cpl/CplD</td><td>the DMA engine of the function named by the Requester ID's function number, matched by tag</td>
 *       <td>counted and dropped (unexpected completion)</td></tr>
 *   <tr><td>Msg/MsgD</td><td>—</td><td>counted: ignored if an endpoint may receive it, else unsupported</td></tr>
 * </table>
 * Requests go straight to their function ({@link FunctionHost}), which decodes again and answers,
 * in order with everything else it does. UR completions the router makes itself go out through
 * the {@link Upstream}, which never waits for the link's window. While the completions waiting for
 * the window are at their limit ({@link Upstream#full}), non-posted requests are dropped unanswered
 * ({@link RouterEvent#BACKLOG_FULL}): a requester that floods reads without acknowledging the
 * answers cannot make the endpoint's memory grow.
 */
final class TlpRouter {
    /** Message codes (base spec table F-1) of messages an endpoint receives and may ignore. */
    static final int UNLOCK = 0x00, PM_ACTIVE_STATE_NAK = 0x14, PME_TURN_OFF = 0x19, SET_SLOT_POWER_LIMIT = 0x50;
    /**
     * Received and ignored: Unlock (no locked transactions here), PM_Active_State_Nak (no ASPM),
     * PME_Turn_Off (no link power states to enter), Set_Slot_Power_Limit (no power budget), and
     * vendor-defined type 1 (silently discarded when not understood, base spec 2.2.8.6). Everything
     * else is unsupported at an endpoint: vendor-defined type 0 (an Unsupported Request, dropped as
     * posted), and codes that only travel upstream (INTx, ERR_*, PME, PME_TO_Ack).
     */
    static final Set<Integer> IGNORED_MESSAGES = Set.of(UNLOCK, PM_ACTIVE_STATE_NAK, PME_TURN_OFF, SET_SLOT_POWER_LIMIT,
            Message.VENDOR_DEFINED_TYPE1);

    private final FunctionHost[] byNumber;
    private final Upstream upstream;
    private final RouterCounters counters;

    /** @param byNumber the functions by function number (index 0..7; null where none) */
    TlpRouter(FunctionHost[] byNumber, Upstream upstream, RouterCounters counters) {
        this.byNumber = byNumber.clone();
        this.upstream = upstream;
        this.counters = counters;
    }

    /** Routes {@code tlp}, which arrived in the owner's session {@code generation}. Agent thread; never blocks. */
    void route(Tlp tlp, int generation) {
        if (tlp.nonPosted() && upstream.full()) {
            counters.count(RouterEvent.BACKLOG_FULL);
            return;
        }
        switch (tlp) {
            case CfgRead r -> config(r, r.type(), r.target(), generation);
            case CfgWrite w -> config(w, w.type(), w.target(), generation);
            case MemRead r -> memory(r, r.address(), generation);
            case MemWrite w -> {
                if (w.attributes().poisoned()) counters.count(RouterEvent.POISONED_WRITE);
                else memory(w, w.address(), generation);
            }
            case IoRead r -> io(r, r.address(), generation);
            case IoWrite w -> io(w, w.address(), generation);
            case Completion c -> completion(c);
            case Message m -> counters.count(IGNORED_MESSAGES.contains(m.code()) ? RouterEvent.MESSAGE_IGNORED : RouterEvent.MESSAGE_UNSUPPORTED);
        }
    }

    private void config(Tlp request, ConfigType type, int target, int generation) {
        RouterEvent refusal = switch (type) {
            case TYPE1 -> RouterEvent.CONFIG_TYPE1;
            case TYPE0 -> Bdf.device(target) != 0 ? RouterEvent.CONFIG_NO_DEVICE
                    : byNumber[Bdf.function(target)] == null ? RouterEvent.CONFIG_NO_FUNCTION : null;
        };
        if (refusal == null) {
            byNumber[Bdf.function(target)].handle(request, generation);
            return;
        }
        counters.count(refusal);
        respond(Completions.unsupportedRequest(request, target), generation);
    }

    private void memory(Tlp request, long address, int generation) {
        for (FunctionHost h : byNumber) {
            if (h != null && h.decoder().memoryBar(address) >= 0) {
                h.handle(request, generation);
                return;
            }
        }
        if (request.nonPosted()) {
            counters.count(RouterEvent.MEMORY_READ_UNCLAIMED);
            respond(Completions.unsupportedRequest(request, completerId()), generation);
        } else {
            counters.count(RouterEvent.MEMORY_WRITE_UNCLAIMED);
        }
    }

    private void io(Tlp request, int address, int generation) {
        long a = address & 0xFFFF_FFFFL;
        for (FunctionHost h : byNumber) {
            if (h != null && h.decoder().ioBar(a) >= 0) {
                h.handle(request, generation);
                return;
            }
        }
        counters.count(RouterEvent.IO_UNCLAIMED);
        respond(Completions.unsupportedRequest(request, completerId()), generation);
    }

    private void completion(Completion c) {
        FunctionHost h = byNumber[Bdf.function(c.requester())];
        if (h == null) counters.count(RouterEvent.UNEXPECTED_COMPLETION);
        else h.completion(c);
    }

    private void respond(Completion c, int generation) {
        try {
            upstream.send(c, generation);
        } catch (LinkDownException e) {
            counters.count(RouterEvent.SEND_FAILED_LINK_DOWN);
        }
    }

    /** Completer ID for a request no function claimed: function 0's Routing ID, as captured. */
    private int completerId() {
        for (FunctionHost h : byNumber) {
            if (h == null) continue;
            int id = h.decoder().routingId();
            return id == ConfigSpace.NOT_CAPTURED ? Bdf.of(0, 0, h.number()) : id & ~7 | h.number();
        }
        return 0;
    }
}
