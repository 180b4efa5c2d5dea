package dev.vpcie.protocol.transport;

import dev.vpcie.testsupport.netns.NetNamespace;
import java.io.IOException;

/** The same contract with frames received by {@code recvmsg} instead of the memory-mapped ring. */
class AfPacketRecvmsgVethTest extends VethTransportContract {

    @Override FrameTransport open(NetNamespace ns, String interfaceName, String ip, String peerIp, int etherType) throws IOException {
        return ns.call(() -> AfPacketTransport.open(interfaceName, etherType, AfPacketTransport.Options.DEFAULT.withRxRing(false)));
    }
}
