package dev.vpcie.loopback.nic;

import dev.vpcie.devices.nic.NvmImage;
import dev.vpcie.loopback.NetTlpJoin;

/**
 * The whole NIC suite (both models: bring-up, ping, every frame size, jumbo frames, link changes,
 * offloads, reset, the fast path, a bad NVM) with the VRC and the endpoint joined by NetTLP's
 * encapsulation over UDP on 127.0.0.1 and 127.0.0.2 instead of an in-memory pipe.
 */
class NetTlpNicDriverEndToEndTest extends NicDriverEndToEndTest {
    @Override NicRig rig(NicRig.Model model, int wireMaxFrame, NvmImage nvm) throws Exception {
        return new NicRig(model, wireMaxFrame, nvm, NetTlpJoin::join);
    }
}
