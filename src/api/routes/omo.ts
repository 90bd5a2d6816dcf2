/**
 * OMO binding routes (PROF-44..PROF-46); the rules are in src/domain/omo.ts
 * and the use cases bind-omo-member, get-omo-binding and unbind-omo-member.
 */
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { actorOf, memberActorOf } from "../http.js";
import { bindOmoMember } from "../../usecases/bind-omo-member.js";
import { getOmoBinding } from "../../usecases/get-omo-binding.js";
import { unbindOmoMember } from "../../usecases/unbind-omo-member.js";

const IdentityParams = z.object({ identityId: z.uuid() });

export const omoRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.put(
    "/api/integrations/omo-bindings/:identityId",
    { schema: { tags: ["integrations"], params: IdentityParams, body: z.object({ memberId: z.uuid() }) } },
    async (req) => bindOmoMember(ctx, actorOf(req), req.params.identityId, req.body.memberId),
  );

  app.get("/api/identities/:identityId/omo-binding", { schema: { tags: ["contacts"], params: IdentityParams } }, async (req) =>
    getOmoBinding(ctx, memberActorOf(req), req.params.identityId),
  );

  app.delete("/api/identities/:identityId/omo-binding", { schema: { tags: ["contacts"], params: IdentityParams } }, async (req) => {
    await unbindOmoMember(ctx, memberActorOf(req), req.params.identityId);
    return { ok: true };
  });
};
