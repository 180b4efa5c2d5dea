package dev.vpcie.cli;

import dev.vpcie.protocol.nettlp.MessagingApi;
import dev.vpcie.protocol.nettlp.NetTlpPort;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.vrc.Bar;
import dev.vpcie.vrc.EndpointLink;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the VRC does in NetTLP mode once enumeration is over, so that it plays the adapter and its
 * host: DMA reads answered one CplD per MRd (or split as asked), the messaging API's facts, and,
 * for a device side that answered no configuration request (libtlp's tools, which never see
 * one), a DMA window over the whole host memory for its requester ID {@code BB:00.0}, so its
 * dma_read and dma_write work at once.
 */
final class NetTlpHost {
    private static final Logger log = LoggerFactory.getLogger(NetTlpHost.class);

    private NetTlpHost() {}

    static void prepare(RootComplex rc, List<PcieDevice> found, int split) {
        rc.dmaReadCompletionLimit(split == 0 ? 4096 : split);
        for (EndpointLink link : rc.links()) {
            if (!(link.port() instanceof NetTlpPort port)) continue;
            int requester = Bdf.of(link.bus(), 0, 0);
            PcieDevice d = found.stream().filter(f -> Bdf.bus(f.bdf()) == link.bus()).findFirst().orElse(null);
            long bar4 = d == null ? 0 : d.bars().stream().filter(b -> b.index() == 4 && b.isMemory()).mapToLong(Bar::address).findFirst().orElse(0);
            port.messagingFacts(new MessagingApi.Facts(bar4, requester, List.of()));
            if (d == null) {
                rc.dmaWindows().map(requester, 0, rc.hostMemory().size());
                log.info("NetTLP device side on bus {} answered no configuration request (a libtlp tool): "
                        + "its DMA as {} may reach all {} MiB of host memory", link.bus(), Bdf.toString(requester), rc.hostMemory().size() >> 20);
            }
        }
    }
}
