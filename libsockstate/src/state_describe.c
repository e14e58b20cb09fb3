/* state_describe.c - the one table of explanations, in English and
 * Spanish side by side, for people troubleshooting: every topic the
 * library explains has its rows here (the states, the TCP counters, the
 * findings of diagnose), each row the same shape:
 *
 *   side     whose matter it is (a sockstate_side)
 *   meaning  what it is, one or two sentences
 *   who      which side sees it / whose events it counts / whose problem
 *            it is, in words
 *   signal   what many of them (a state) or growth (a counter) usually
 *            means, and where to look; what to do (a finding)
 *   title    a finding's few words (NULL for the other topics)
 *
 * A topic's rows lie together; topics[] says where. Below them, the
 * other words a diagnosis prints (labels, severities, notes) and each
 * finding's headlines, also both languages side by side. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "diagnose_internal.h"
#include "sockstate.h"

enum lang { LANG_EN, LANG_ES, LANG_COUNT };

struct text {
	const char *meaning;
	const char *who;
	const char *signal;
	const char *title;
};

struct explanation {
	sockstate_side side;
	struct text text[LANG_COUNT];
};

enum topic { TOPIC_STATE, TOPIC_COUNTER, TOPIC_FINDING, TOPIC_COUNT };

#define STATE_ROW(s) (s)
#define COUNTER_ROW(c) (SOCKSTATE_STATE_COUNT + (c))
#define FINDING_ROW(f) (SOCKSTATE_STATE_COUNT + SOCKSTATE_COUNTER_COUNT + (f))
#define ROW_COUNT (SOCKSTATE_STATE_COUNT + SOCKSTATE_COUNTER_COUNT + SOCKSTATE_FINDING_COUNT)

static const struct {
	size_t first, count;
} topics[TOPIC_COUNT] = {
	[TOPIC_STATE] = {STATE_ROW(0), SOCKSTATE_STATE_COUNT},
	[TOPIC_COUNTER] = {COUNTER_ROW(0), SOCKSTATE_COUNTER_COUNT},
	[TOPIC_FINDING] = {FINDING_ROW(0), SOCKSTATE_FINDING_COUNT},
};

/* What two findings about unanswered SYNs (syn-sent-unanswered, seen in
 * the states; connection-timeout, the probe's) say alike. */
#define UNANSWERED_WHOSE_EN \
	"The connecting side; the cause is the peer or the network to it."
#define UNANSWERED_WHOSE_ES \
	"El lado que conecta; la causa está en el otro extremo o en la red " \
	"hasta él."
#define UNANSWERED_ADVICE_EN \
	"Check that the peer is up and the address and port are right; " \
	"check the firewalls on the path and on the peer (a DROP rule, a " \
	"security group, a cloud network ACL); on the peer, look whether " \
	"the SYNs arrive (tcpdump 'tcp[tcpflags] & tcp-syn != 0')."
#define UNANSWERED_ADVICE_ES \
	"Compruebe que el otro equipo está en marcha y que la dirección y " \
	"el puerto son correctos; revise los cortafuegos del camino y del " \
	"otro equipo (una regla DROP, un grupo de seguridad, una ACL de " \
	"red en la nube); en el otro equipo, mire si llegan los SYN " \
	"(tcpdump 'tcp[tcpflags] & tcp-syn != 0')."
/* ... and the two about ephemeral ports (ephemeral-ports-low, seen in the
 * states; no-ephemeral-port, the probe's). */
#define PORTS_WHOSE_EN "The connecting side: this host's connections to that destination."
#define PORTS_WHOSE_ES \
	"El lado que conecta: las conexiones de este equipo hacia ese destino."

static const struct explanation explanations[ROW_COUNT] = {
	/* ---- states: what each means, which side sees it, what a pile of
	 * sockets in it usually means ---- */
	[SOCKSTATE_UNKNOWN] = {SOCKSTATE_SIDE_NONE, {
		{"The operating system reported a state code this library does "
		 "not know, so it cannot name it. The record's native code and "
		 "name show what the system said.",
		 "No side in particular: the code is not a known TCP state.",
		 "A newer or unusual system, or a kernel extension, uses a state "
		 "this version of libsockstate does not know. Check the native "
		 "code and consider upgrading the library.", NULL},
		{"El sistema operativo informó de un código de estado que esta "
		 "biblioteca no conoce, así que no puede nombrarlo. El código y "
		 "el nombre nativos del registro muestran lo que dijo el sistema.",
		 "Ningún lado en particular: el código no corresponde a ningún "
		 "estado TCP conocido.",
		 "Un sistema más nuevo o poco común, o una extensión del núcleo, "
		 "usa un estado que esta versión de libsockstate no conoce. "
		 "Revise el código nativo y considere actualizar la biblioteca.", NULL},
	}},
	[SOCKSTATE_CLOSED] = {SOCKSTATE_SIDE_NONE, {
		{"No connection: the socket exists but has no connection state. "
		 "Few systems list sockets in this state; when one shows up it is "
		 "usually being torn down or never got connected.",
		 "No side in particular: there is no connection.",
		 "Sockets that were created but never connected, or connections "
		 "that ended while the application kept its socket open. Harmless "
		 "if they go away; if they pile up, the application is leaking "
		 "socket handles.", NULL},
		{"Sin conexión: el socket existe pero no tiene ninguna conexión "
		 "asociada. Pocos sistemas muestran sockets en este estado; cuando "
		 "aparece uno, suele estar terminando de cerrarse o no llegó a "
		 "conectarse nunca.",
		 "Ningún lado en particular: no hay conexión.",
		 "Sockets creados que nunca se conectaron, o conexiones terminadas "
		 "cuyo socket la aplicación sigue teniendo abierto. No es grave si "
		 "desaparecen; si se acumulan, la aplicación pierde descriptores "
		 "de socket (una fuga).", NULL},
	}},
	[SOCKSTATE_LISTEN] = {SOCKSTATE_SIDE_SERVER, {
		{"A server socket waiting for incoming connections on a local "
		 "port. It carries no data itself: each accepted connection gets "
		 "a socket of its own.",
		 "The server (the passive opener).",
		 "Normal on servers: one per listening port and address (several "
		 "with SO_REUSEPORT or many worker processes). An unexpected one "
		 "is an exposed service nobody meant to run: check the owning "
		 "process and the address it listens on (0.0.0.0 or :: means "
		 "every interface).", NULL},
		{"Un socket de servidor que espera conexiones entrantes en un "
		 "puerto local. No transporta datos: cada conexión aceptada recibe "
		 "su propio socket.",
		 "El servidor (el extremo que abre de forma pasiva).",
		 "Normal en los servidores: uno por cada puerto y dirección en "
		 "escucha (varios con SO_REUSEPORT o con muchos procesos de "
		 "trabajo). Uno inesperado es un servicio expuesto que nadie "
		 "pretendía ofrecer: compruebe el proceso propietario y la "
		 "dirección en la que escucha (0.0.0.0 o :: significa todas las "
		 "interfaces).", NULL},
	}},
	[SOCKSTATE_SYN_SENT] = {SOCKSTATE_SIDE_CLIENT, {
		{"The local side sent a connection request (SYN) and is waiting "
		 "for the remote side to answer.",
		 "The client (the active opener).",
		 "The remote host is not answering: it is down or unreachable, "
		 "a firewall silently drops the SYNs (a closed port or a rejecting "
		 "firewall fails at once instead), or the server's accept queue is "
		 "full: its application accepts connections too slowly, so the "
		 "server's kernel drops new SYNs (there, the listener's Recv-Q has "
		 "reached its backlog, Send-Q). Many of them toward many "
		 "different addresses can also be a port scan or malware running "
		 "on this host.", NULL},
		{"El lado local envió una solicitud de conexión (SYN) y espera la "
		 "respuesta del lado remoto.",
		 "El cliente (el extremo que abre de forma activa).",
		 "El equipo remoto no responde: está apagado o es inalcanzable, "
		 "un cortafuegos descarta los SYN sin avisar (un puerto cerrado o "
		 "un cortafuegos que rechaza dan error de inmediato), o la cola de "
		 "aceptación del servidor está llena: su aplicación acepta las "
		 "conexiones demasiado despacio y el núcleo del servidor descarta "
		 "los SYN nuevos (allí, la Recv-Q del socket en escucha ha "
		 "alcanzado su backlog, Send-Q). Muchos hacia "
		 "muchas direcciones distintas también pueden ser un escaneo de "
		 "puertos o software malicioso en este equipo.", NULL},
	}},
	[SOCKSTATE_SYN_RECEIVED] = {SOCKSTATE_SIDE_SERVER, {
		{"The server received a connection request (SYN) and answered "
		 "with SYN-ACK; it is waiting for the client's final ACK to "
		 "complete the three-way handshake.",
		 "The server (the passive opener).",
		 "The clients' final ACKs are not arriving: a SYN flood (often "
		 "from spoofed addresses), asymmetric routing or a firewall that "
		 "drops the return traffic, or a full listen backlog because the "
		 "application accepts connections too slowly.", NULL},
		{"El servidor recibió una solicitud de conexión (SYN) y respondió "
		 "con SYN-ACK; espera el ACK final del cliente para completar la "
		 "negociación en tres pasos.",
		 "El servidor (el extremo que abre de forma pasiva).",
		 "No llegan los ACK finales de los clientes: una inundación de SYN "
		 "(a menudo con direcciones de origen falsificadas), un "
		 "enrutamiento asimétrico o un cortafuegos que descarta el tráfico "
		 "de vuelta, o una cola de escucha (backlog) llena porque la "
		 "aplicación acepta las conexiones demasiado despacio.", NULL},
	}},
	[SOCKSTATE_ESTABLISHED] = {SOCKSTATE_SIDE_BOTH, {
		{"The connection is open: the handshake is complete and both "
		 "sides can send data.",
		 "Both sides.",
		 "Usually normal: active clients or a connection pool. Far more "
		 "than expected points to a connection leak (connections opened "
		 "and never closed), no connection reuse, or idle connections "
		 "kept forever without a timeout.", NULL},
		{"La conexión está abierta: la negociación terminó y ambos lados "
		 "pueden enviar datos.",
		 "Ambos lados.",
		 "Suele ser normal: clientes activos o un pool de conexiones. "
		 "Muchas más de las esperadas apuntan a una fuga de conexiones "
		 "(se abren y nunca se cierran), a que no se reutilizan, o a "
		 "conexiones inactivas que se mantienen para siempre sin tiempo "
		 "de espera.", NULL},
	}},
	[SOCKSTATE_FIN_WAIT_1] = {SOCKSTATE_SIDE_CLOSER, {
		{"The local application closed the connection; its FIN is sent "
		 "and it waits for the remote side to acknowledge it.",
		 "The side that closes first (the active closer).",
		 "The peer is not acknowledging: it is unreachable or gone, or its "
		 "receive window is full and data is still queued ahead of the "
		 "FIN. They linger when the remote host vanished without sending "
		 "a reset.", NULL},
		{"La aplicación local cerró la conexión; ya envió su FIN y espera "
		 "que el lado remoto lo confirme.",
		 "El lado que cierra primero (el que cierra de forma activa).",
		 "El otro extremo no confirma: es inalcanzable o ha desaparecido, "
		 "o su ventana de recepción está llena y aún quedan datos en cola "
		 "por delante del FIN. Se quedan ahí cuando el equipo remoto "
		 "desapareció sin enviar un reset.", NULL},
	}},
	[SOCKSTATE_FIN_WAIT_2] = {SOCKSTATE_SIDE_CLOSER, {
		{"The remote side acknowledged the local FIN; the connection now "
		 "waits for the remote side to close its half.",
		 "The side that closed first (the active closer).",
		 "The peer application is not closing its side: it keeps its "
		 "socket open after reading the end of the data (the other end of "
		 "a CLOSE_WAIT), or it crashed and a firewall forgot the "
		 "connection. Linux drops them after net.ipv4.tcp_fin_timeout once "
		 "no process owns the local socket any more.", NULL},
		{"El lado remoto confirmó el FIN local; la conexión espera ahora "
		 "a que el lado remoto cierre su mitad.",
		 "El lado que cerró primero (el que cierra de forma activa).",
		 "La aplicación del otro extremo no cierra su lado: mantiene el "
		 "socket abierto después de leer el final de los datos (es la otra "
		 "cara de un CLOSE_WAIT), o se cayó y un cortafuegos olvidó la "
		 "conexión. Linux los elimina pasado net.ipv4.tcp_fin_timeout "
		 "cuando el socket local ya no pertenece a ningún proceso.", NULL},
	}},
	[SOCKSTATE_CLOSE_WAIT] = {SOCKSTATE_SIDE_PEER, {
		{"The remote side closed its half of the connection (its FIN "
		 "arrived); the connection waits for the local application to "
		 "close its socket.",
		 "The side that closes second (the passive closer).",
		 "A bug in the local application: it got end-of-file (or an "
		 "error) on these sockets and never closed them, a socket or file "
		 "descriptor leak. Fix the owning process: the kernel never times "
		 "this state out, so they stay until the process closes them or "
		 "exits.", NULL},
		{"El lado remoto cerró su mitad de la conexión (llegó su FIN); la "
		 "conexión espera a que la aplicación local cierre su socket.",
		 "El lado que cierra en segundo lugar (el que cierra de forma "
		 "pasiva).",
		 "Un error en la aplicación local: recibió fin de archivo (o un "
		 "error) en estos sockets y nunca los cerró, es decir, una fuga de "
		 "sockets o de descriptores. Hay que corregir el proceso "
		 "propietario: el núcleo no los elimina por tiempo, así que siguen "
		 "ahí hasta que el proceso los cierra o termina.", NULL},
	}},
	[SOCKSTATE_CLOSING] = {SOCKSTATE_SIDE_CLOSER, {
		{"Both sides closed at the same time: the local side sent its FIN "
		 "and received the remote FIN before its own was acknowledged.",
		 "A side that closed first; in a simultaneous close, usually both "
		 "ends.",
		 "Rare. Many of them point to protocols where both ends close at "
		 "once by design, or to ACKs lost on the way back to this host.", NULL},
		{"Ambos lados cerraron a la vez: el lado local envió su FIN y "
		 "recibió el FIN remoto antes de que le confirmaran el suyo.",
		 "Un lado que cerró primero; en un cierre simultáneo, normalmente "
		 "ambos extremos.",
		 "Es poco frecuente. Muchos indican protocolos en los que ambos "
		 "extremos cierran a la vez por diseño, o ACK que se pierden en el "
		 "camino de vuelta hacia este equipo.", NULL},
	}},
	[SOCKSTATE_LAST_ACK] = {SOCKSTATE_SIDE_PEER, {
		{"The remote side closed first and the local application has now "
		 "closed too; the local FIN is sent and the connection waits for "
		 "the final acknowledgement.",
		 "The side that closes second (the passive closer).",
		 "The peer went away before acknowledging the last FIN (it "
		 "crashed or reset, or a firewall or NAT dropped the connection's "
		 "state). They clear once the retransmissions time out.", NULL},
		{"El lado remoto cerró primero y la aplicación local también ha "
		 "cerrado; el FIN local está enviado y la conexión espera la "
		 "confirmación final.",
		 "El lado que cierra en segundo lugar (el que cierra de forma "
		 "pasiva).",
		 "El otro extremo se fue antes de confirmar el último FIN (se cayó "
		 "o envió un reset, o un cortafuegos o un NAT olvidó la conexión). "
		 "Desaparecen cuando se agotan las retransmisiones.", NULL},
	}},
	[SOCKSTATE_TIME_WAIT] = {SOCKSTATE_SIDE_CLOSER, {
		{"The connection is closed; the side that closed first keeps its "
		 "address and port pair reserved for a while (30 seconds to 4 "
		 "minutes depending on the system, 60 seconds on Linux) so late "
		 "packets of this connection cannot be taken for a new one.",
		 "The side that closed first (the active closer).",
		 "Normal on whichever side closes first, often a busy client or a "
		 "server that closes its connections. Tens of thousands toward one "
		 "destination put the ephemeral ports at risk (new connections "
		 "fail with \"Cannot assign requested address\"): prefer "
		 "keep-alive and connection reuse over a new connection per "
		 "request, or let the client close first.", NULL},
		{"La conexión está cerrada; el lado que cerró primero mantiene "
		 "reservado su par de direcciones y puertos durante un tiempo (de "
		 "30 segundos a 4 minutos según el sistema, 60 segundos en Linux) "
		 "para que los paquetes rezagados de esta conexión no se confundan "
		 "con los de una nueva.",
		 "El lado que cerró primero (el que cierra de forma activa).",
		 "Normal en el lado que cierra primero, a menudo un cliente con "
		 "mucho tráfico o un servidor que cierra sus conexiones. Decenas "
		 "de miles hacia un mismo destino ponen en riesgo los puertos "
		 "efímeros (las conexiones nuevas fallan con «Cannot assign "
		 "requested address»): mejor usar keep-alive y reutilizar "
		 "conexiones que abrir una nueva por cada petición, o dejar que "
		 "cierre primero el cliente.", NULL},
	}},
	[SOCKSTATE_DELETE_TCB] = {SOCKSTATE_SIDE_BOTH, {
		{"Windows only: the connection is over and the system is deleting "
		 "its transmission control block (TCB), the bookkeeping it kept "
		 "for the connection.",
		 "Either side, on Windows.",
		 "Normally fleeting. Many of them mean the system is tearing down "
		 "connections in bulk (a service stopping, a network change) or "
		 "is slow to release them under heavy load.", NULL},
		{"Solo en Windows: la conexión terminó y el sistema está borrando "
		 "su bloque de control de transmisión (TCB), los datos internos "
		 "que guardaba sobre ella.",
		 "Cualquiera de los dos lados, en Windows.",
		 "Normalmente es momentáneo. Muchos indican que el sistema está "
		 "cerrando conexiones en masa (un servicio que se detiene, un "
		 "cambio de red) o que tarda en liberarlas por una carga elevada.", NULL},
	}},
	[SOCKSTATE_BOUND] = {SOCKSTATE_SIDE_NONE, {
		{"The socket is bound to a local address and port but neither "
		 "listens nor is connected, for example between bind() and "
		 "listen() or connect(). Listed only when asked for by name.",
		 "No connection yet: only the local host sees it.",
		 "Ports reserved but unused: an application that binds and never "
		 "listens or connects, or bound sockets left behind by failed "
		 "connection attempts. They still hold the port, so another "
		 "program cannot bind it.", NULL},
		{"El socket está asociado (bind) a una dirección y un puerto "
		 "locales pero ni escucha ni está conectado, por ejemplo entre "
		 "bind() y listen() o connect(). Solo se lista si se pide por su "
		 "nombre.",
		 "Todavía no hay conexión: solo lo ve el equipo local.",
		 "Puertos reservados sin usar: una aplicación que hace bind y "
		 "nunca escucha ni conecta, o sockets asociados que quedaron tras "
		 "intentos de conexión fallidos. Siguen ocupando el puerto, así "
		 "que otro programa no puede asociarse a él.", NULL},
	}},
	/* ---- TCP counters: what each counts, whose events, what growth
	 * usually means ---- */
	[COUNTER_ROW(SOCKSTATE_COUNTER_ACTIVE_OPENS)] = {SOCKSTATE_SIDE_CLIENT, {
		{"Connections this host started: each connect() that sent a SYN "
		 "(a move from CLOSED to SYN_SENT).",
		 "The client (the active opener).",
		 "Normal wherever programs connect out: its rate is the rate of "
		 "new outgoing connections. A sudden jump is a client opening a "
		 "connection per request instead of reusing them, or a storm of "
		 "retries; attempt_fails tells how many of them failed.", NULL},
		{"Conexiones que inició este equipo: cada connect() que envió un "
		 "SYN (un paso de CLOSED a SYN_SENT).",
		 "El cliente (el extremo que abre de forma activa).",
		 "Normal allí donde los programas abren conexiones salientes: su "
		 "ritmo es el de las conexiones salientes nuevas. Un salto brusco "
		 "es un cliente que abre una conexión por petición en vez de "
		 "reutilizarlas, o una tormenta de reintentos; attempt_fails dice "
		 "cuántas fallaron.", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_PASSIVE_OPENS)] = {SOCKSTATE_SIDE_SERVER, {
		{"Connections this host accepted on a listening socket: each "
		 "incoming handshake that left LISTEN for SYN_RECEIVED.",
		 "The server (the passive opener).",
		 "Normal on servers: its rate is the rate of new incoming "
		 "connections. Growth with no traffic behind it is a scan or a "
		 "flood of connection attempts; no growth on a server that should "
		 "be busy means clients do not reach it (firewall, routing, DNS).", NULL},
		{"Conexiones que este equipo aceptó en un socket en escucha: cada "
		 "negociación entrante que pasó de LISTEN a SYN_RECEIVED.",
		 "El servidor (el extremo que abre de forma pasiva).",
		 "Normal en los servidores: su ritmo es el de las conexiones "
		 "entrantes nuevas. Si crece sin tráfico detrás es un escaneo o "
		 "una avalancha de intentos de conexión; si no crece en un "
		 "servidor que debería estar ocupado, los clientes no llegan "
		 "(cortafuegos, enrutamiento, DNS).", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_ATTEMPT_FAILS)] = {SOCKSTATE_SIDE_BOTH, {
		{"Connection attempts that failed before the connection was open: "
		 "SYN_SENT or SYN_RECEIVED went back to CLOSED (or to LISTEN), "
		 "usually because the other side answered with a reset.",
		 "Both sides: clients whose connections were refused, servers "
		 "whose half-open connections were reset.",
		 "On a client, refused connections: nothing listens on the remote "
		 "port, a firewall rejects them, or the service is down. Growing "
		 "together with active_opens, a client keeps retrying something "
		 "that is not there.", NULL},
		{"Intentos de conexión que fallaron antes de que la conexión "
		 "quedara abierta: SYN_SENT o SYN_RECEIVED volvió a CLOSED (o a "
		 "LISTEN), normalmente porque el otro lado respondió con un reset.",
		 "Ambos lados: clientes cuyas conexiones fueron rechazadas y "
		 "servidores cuyas conexiones a medio abrir recibieron un reset.",
		 "En un cliente, conexiones rechazadas: nada escucha en el puerto "
		 "remoto, un cortafuegos las rechaza o el servicio está caído. Si "
		 "crece junto con active_opens, un cliente reintenta una y otra "
		 "vez contra algo que no está.", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_ESTABLISHED_RESETS)] = {SOCKSTATE_SIDE_BOTH, {
		{"Open connections that ended abruptly: ESTABLISHED or CLOSE_WAIT "
		 "went straight to CLOSED, usually by a reset.",
		 "Both sides.",
		 "Connections cut in the middle: a peer or an application that "
		 "resets instead of closing (a crash, SO_LINGER set to zero), a "
		 "load balancer or firewall that forgets idle connections, or a "
		 "process killed with its connections open.", NULL},
		{"Conexiones abiertas que terminaron de golpe: ESTABLISHED o "
		 "CLOSE_WAIT pasó directamente a CLOSED, normalmente por un reset.",
		 "Ambos lados.",
		 "Conexiones cortadas a mitad: un extremo o una aplicación que "
		 "envía un reset en vez de cerrar (un fallo, SO_LINGER a cero), un "
		 "balanceador o un cortafuegos que olvida las conexiones "
		 "inactivas, o un proceso terminado con sus conexiones abiertas.", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_RESETS_SENT)] = {SOCKSTATE_SIDE_BOTH, {
		{"TCP segments this host sent with the RST flag: refusals of "
		 "connections to ports where nothing listens, and connections it "
		 "aborted.",
		 "Both sides.",
		 "Steady growth usually means clients connect to a port where "
		 "nothing listens here (their attempt_fails grows), or "
		 "applications abort connections (see aborts_on_close). A burst "
		 "can be a port scan being answered.", NULL},
		{"Segmentos TCP que este equipo envió con el indicador RST: "
		 "rechazos de conexiones a puertos en los que nada escucha, y "
		 "conexiones que abortó.",
		 "Ambos lados.",
		 "Un crecimiento constante suele indicar clientes que conectan a "
		 "un puerto en el que aquí nada escucha (su attempt_fails crece), "
		 "o aplicaciones que abortan conexiones (vea aborts_on_close). Una "
		 "ráfaga puede ser la respuesta a un escaneo de puertos.", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_SEGMENTS_RECEIVED)] = {SOCKSTATE_SIDE_BOTH, {
		{"TCP segments received, those with errors included.",
		 "Both sides.",
		 "The volume of incoming TCP traffic: the base against which to "
		 "read bad_segments_received.", NULL},
		{"Segmentos TCP recibidos, incluidos los que llegaron con errores.",
		 "Ambos lados.",
		 "El volumen de tráfico TCP entrante: la base con la que leer "
		 "bad_segments_received.", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_SEGMENTS_SENT)] = {SOCKSTATE_SIDE_BOTH, {
		{"TCP segments sent (whether retransmissions count here too "
		 "depends on the system: see segments_retransmitted).",
		 "Both sides.",
		 "The volume of outgoing TCP traffic: the base against which to "
		 "read segments_retransmitted.", NULL},
		{"Segmentos TCP enviados (si las retransmisiones cuentan también "
		 "aquí depende del sistema: vea segments_retransmitted).",
		 "Ambos lados.",
		 "El volumen de tráfico TCP saliente: la base con la que leer "
		 "segments_retransmitted.", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED)] = {SOCKSTATE_SIDE_BOTH, {
		{"TCP segments sent again because they were not acknowledged in "
		 "time or were reported lost.",
		 "Both sides (the sender of the lost data).",
		 "Packet loss or congestion on some path, or a peer too slow to "
		 "acknowledge. As a share of segments_sent, well under 1% is "
		 "usual and a few percent already hurts throughput and latency: "
		 "find the connections that retransmit (their sockets' "
		 "retransmit counts).", NULL},
		{"Segmentos TCP enviados de nuevo porque no se confirmaron a "
		 "tiempo o se dieron por perdidos.",
		 "Ambos lados (el que envió los datos perdidos).",
		 "Pérdida de paquetes o congestión en algún camino, o un extremo "
		 "demasiado lento para confirmar. Respecto a segments_sent, muy "
		 "por debajo del 1% es lo habitual y unas pocas unidades por "
		 "ciento ya perjudican el rendimiento y la latencia: busque las "
		 "conexiones que retransmiten (los contadores de retransmisión "
		 "de sus sockets).", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED)] = {SOCKSTATE_SIDE_BOTH, {
		{"TCP segments received with errors: a bad checksum, a bad header "
		 "length, too short.",
		 "Both sides.",
		 "Corruption on the way in: a faulty network card, cable, driver "
		 "or checksum offload setting, or a broken middlebox. It should "
		 "stay at or near zero.", NULL},
		{"Segmentos TCP recibidos con errores: suma de comprobación "
		 "incorrecta, longitud de cabecera incorrecta, demasiado cortos.",
		 "Ambos lados.",
		 "Datos dañados a la entrada: una tarjeta de red, un cable, un "
		 "controlador o una descarga de sumas de comprobación defectuosos, "
		 "o un equipo intermedio averiado. Debería quedarse en cero o "
		 "cerca.", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_TIMEOUTS)] = {SOCKSTATE_SIDE_BOTH, {
		{"Retransmission timeouts: times a connection waited for an "
		 "acknowledgement until its timer fired and it had to send again.",
		 "Both sides (the sender of the unacknowledged data).",
		 "Loss that fast recovery could not repair: whole windows lost, "
		 "or a peer gone silent. Each timeout stalls its connection for a "
		 "second or more, so growth shows as slow or hanging transfers.", NULL},
		{"Vencimientos del temporizador de retransmisión: veces que una "
		 "conexión esperó una confirmación hasta que venció su "
		 "temporizador y tuvo que enviar de nuevo.",
		 "Ambos lados (el que envió los datos sin confirmar).",
		 "Pérdidas que la recuperación rápida no pudo reparar: ventanas "
		 "enteras perdidas, o un extremo que dejó de responder. Cada "
		 "vencimiento detiene su conexión un segundo o más, así que el "
		 "crecimiento se nota como transferencias lentas o colgadas.", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_SYN_RETRANSMITS)] = {SOCKSTATE_SIDE_BOTH, {
		{"Connection requests sent again: SYNs, and the SYN-ACKs that "
		 "answer them, retransmitted because the other side did not answer.",
		 "Both sides: clients repeat SYNs, servers repeat SYN-ACKs.",
		 "Peers that do not answer: a host down, a missing route, or a "
		 "firewall that silently drops SYNs (a closed port would refuse at "
		 "once). On a server, repeated SYN-ACKs mean the clients' final "
		 "ACKs do not arrive.", NULL},
		{"Solicitudes de conexión enviadas de nuevo: SYN, y los SYN-ACK "
		 "que los responden, retransmitidos porque el otro lado no "
		 "respondió.",
		 "Ambos lados: los clientes repiten los SYN y los servidores los "
		 "SYN-ACK.",
		 "Extremos que no responden: un equipo apagado, una ruta que "
		 "falta, o un cortafuegos que descarta los SYN sin avisar (un "
		 "puerto cerrado rechazaría al momento). En un servidor, los "
		 "SYN-ACK repetidos indican que no llegan los ACK finales de los "
		 "clientes.", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_LISTEN_OVERFLOWS)] = {SOCKSTATE_SIDE_SERVER, {
		{"Times a completed connection found its listener's accept queue "
		 "full, so the connection was dropped (the client retries or "
		 "fails).",
		 "The server (the listening side).",
		 "The application accepts connections more slowly than they "
		 "arrive, or its listen backlog is too small (the listen() "
		 "argument, net.core.somaxconn). Clients see slow or failed "
		 "connects. Compare the listener's queue with its limit (rx_queue "
		 "and tx_queue of the LISTEN socket).", NULL},
		{"Veces que una conexión ya negociada encontró llena la cola de "
		 "aceptación de su socket en escucha, así que se descartó (el "
		 "cliente reintenta o falla).",
		 "El servidor (el lado que escucha).",
		 "La aplicación acepta las conexiones más despacio de lo que "
		 "llegan, o su cola de escucha es demasiado pequeña (el argumento "
		 "de listen(), net.core.somaxconn). Los clientes ven conexiones "
		 "lentas o fallidas. Compare la cola del socket en escucha con su "
		 "límite (rx_queue y tx_queue del socket LISTEN).", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_LISTEN_DROPS)] = {SOCKSTATE_SIDE_SERVER, {
		{"Incoming connections a listening socket dropped for any reason; "
		 "listen_overflows are among them.",
		 "The server (the listening side).",
		 "Beyond listen_overflows: drops for lack of memory or of a route "
		 "back to the client, or connections to a listener that is going "
		 "away. When it grows faster than listen_overflows, look at memory "
		 "and routing rather than at the application.", NULL},
		{"Conexiones entrantes que un socket en escucha descartó por "
		 "cualquier motivo; listen_overflows está incluido.",
		 "El servidor (el lado que escucha).",
		 "Además de listen_overflows: descartes por falta de memoria o de "
		 "una ruta de vuelta al cliente, o conexiones hacia un socket en "
		 "escucha que se está cerrando. Si crece más deprisa que "
		 "listen_overflows, mire la memoria y el enrutamiento antes que "
		 "la aplicación.", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_REQUEST_QUEUE_FULL_DROPS)] = {SOCKSTATE_SIDE_SERVER, {
		{"SYNs dropped because the queue of half-open connections was "
		 "full and SYN cookies were off.",
		 "The server (the listening side).",
		 "A SYN flood, or a burst of clients larger than the SYN backlog "
		 "(net.ipv4.tcp_max_syn_backlog). With SYN cookies on, these "
		 "SYNs are answered with cookies instead of dropped.", NULL},
		{"SYN descartados porque la cola de conexiones a medio abrir "
		 "estaba llena y las SYN cookies estaban desactivadas.",
		 "El servidor (el lado que escucha).",
		 "Una inundación de SYN, o una ráfaga de clientes mayor que la "
		 "cola de SYN (net.ipv4.tcp_max_syn_backlog). Con las SYN cookies "
		 "activadas, estos SYN se responden con cookies en vez de "
		 "descartarse.", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_SYNCOOKIES_SENT)] = {SOCKSTATE_SIDE_SERVER, {
		{"SYN cookies sent: the queue of half-open connections was full, "
		 "so the server answered a SYN without keeping any state for it.",
		 "The server (the listening side).",
		 "A SYN flood, or a listener whose SYN queue cannot keep up with "
		 "real clients. Connections still open, but may lose TCP options "
		 "(window scaling, SACK) and perform worse.", NULL},
		{"SYN cookies enviadas: la cola de conexiones a medio abrir estaba "
		 "llena, así que el servidor respondió a un SYN sin guardar estado "
		 "para él.",
		 "El servidor (el lado que escucha).",
		 "Una inundación de SYN, o un socket en escucha cuya cola de SYN "
		 "no da abasto con los clientes reales. Las conexiones se siguen "
		 "abriendo, pero pueden perder opciones de TCP (escalado de "
		 "ventana, SACK) y rendir menos.", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_SYNCOOKIES_RECEIVED)] = {SOCKSTATE_SIDE_SERVER, {
		{"Valid SYN cookies that came back in clients' ACKs, each one "
		 "completing a connection.",
		 "The server (the listening side).",
		 "Real clients completing handshakes while cookies are in use: "
		 "the SYN queue overflows under legitimate load, not only under a "
		 "flood. Raise the backlog or accept faster.", NULL},
		{"SYN cookies válidas que volvieron en los ACK de los clientes, "
		 "cada una completando una conexión.",
		 "El servidor (el lado que escucha).",
		 "Clientes reales que completan la negociación mientras se usan "
		 "cookies: la cola de SYN se desborda con carga legítima, no solo "
		 "con una inundación. Aumente la cola o acepte más deprisa.", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_SYNCOOKIES_FAILED)] = {SOCKSTATE_SIDE_SERVER, {
		{"ACKs whose SYN cookie did not check out.",
		 "The server (the listening side).",
		 "Stale or forged ACKs: usually part of an attack, or very late "
		 "packets. A few are normal while cookies are in use.", NULL},
		{"ACK cuya SYN cookie no resultó válida.",
		 "El servidor (el lado que escucha).",
		 "ACK caducados o falsificados: normalmente parte de un ataque, o "
		 "paquetes muy retrasados. Unos pocos son normales mientras se "
		 "usan cookies.", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_ABORTS_ON_TIMEOUT)] = {SOCKSTATE_SIDE_BOTH, {
		{"Connections given up because a timer ran out: retransmissions, "
		 "zero-window probes or keepalives went unanswered too many times.",
		 "Both sides.",
		 "Peers that vanished (crashed, unplugged, or behind a NAT or "
		 "firewall that forgot the connection), or a path that stopped "
		 "working. Applications see \"connection timed out\" (ETIMEDOUT).", NULL},
		{"Conexiones abandonadas porque venció un temporizador: las "
		 "retransmisiones, las sondas de ventana cero o los keepalive "
		 "quedaron sin respuesta demasiadas veces.",
		 "Ambos lados.",
		 "Extremos que desaparecieron (caídos, desconectados, o tras un "
		 "NAT o un cortafuegos que olvidó la conexión), o un camino que "
		 "dejó de funcionar. Las aplicaciones ven «connection timed out» "
		 "(ETIMEDOUT).", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_ABORTS_ON_DATA)] = {SOCKSTATE_SIDE_BOTH, {
		{"Connections reset because data arrived after the application had "
		 "closed its socket, or because it closed with SO_LINGER set to "
		 "zero.",
		 "Both sides.",
		 "A peer that keeps sending after this side closed (a protocol "
		 "mismatch), or an application that resets its connections on "
		 "purpose. A steady rate points at one misbehaving client or "
		 "server.", NULL},
		{"Conexiones cerradas con un reset porque llegaron datos después "
		 "de que la aplicación cerrara su socket, o porque lo cerró con "
		 "SO_LINGER a cero.",
		 "Ambos lados.",
		 "Un extremo que sigue enviando después de que este lado cerró "
		 "(protocolos que no se entienden), o una aplicación que corta "
		 "sus conexiones a propósito. Un ritmo constante apunta a un "
		 "cliente o servidor concreto que se porta mal.", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_ABORTS_ON_CLOSE)] = {SOCKSTATE_SIDE_BOTH, {
		{"Connections reset because the application closed its socket "
		 "with received data still unread.",
		 "Both sides.",
		 "An application that does not read all it was sent before "
		 "closing (for example the rest of a request): its peer gets a "
		 "reset instead of a normal close and reports \"connection reset "
		 "by peer\".", NULL},
		{"Conexiones cerradas con un reset porque la aplicación cerró su "
		 "socket con datos recibidos aún sin leer.",
		 "Ambos lados.",
		 "Una aplicación que no lee todo lo que le enviaron antes de "
		 "cerrar (por ejemplo el resto de una petición): el otro extremo "
		 "recibe un reset en vez de un cierre normal e informa de "
		 "«connection reset by peer».", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_ABORTS_ON_MEMORY)] = {SOCKSTATE_SIDE_BOTH, {
		{"Connections reset because TCP was short of memory, or had too "
		 "many orphaned sockets (closed by their application but not yet "
		 "finished).",
		 "Both sides.",
		 "Memory pressure in the TCP stack. Before raising "
		 "net.ipv4.tcp_mem or tcp_max_orphans, find out why so many "
		 "sockets pile up (often FIN_WAIT states, or a flood).", NULL},
		{"Conexiones cerradas con un reset porque a TCP le faltaba "
		 "memoria, o tenía demasiados sockets huérfanos (cerrados por su "
		 "aplicación pero aún sin terminar).",
		 "Ambos lados.",
		 "Presión de memoria en la pila TCP. Antes de aumentar "
		 "net.ipv4.tcp_mem o tcp_max_orphans, averigüe por qué se "
		 "acumulan tantos sockets (a menudo en estados FIN_WAIT, o por "
		 "una inundación).", NULL},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_TIME_WAIT_OVERFLOWS)] = {SOCKSTATE_SIDE_CLOSER, {
		{"Connections that skipped TIME_WAIT because the table of TIME_WAIT "
		 "sockets was full (net.ipv4.tcp_max_tw_buckets).",
		 "The side that closes first (the active closer).",
		 "Very many short connections closed by this host; late packets "
		 "of old connections may now be taken for new ones. Reuse "
		 "connections (keep-alive), or let the peer close first, rather "
		 "than raising the limit.", NULL},
		{"Conexiones que se saltaron TIME_WAIT porque la tabla de sockets "
		 "en TIME_WAIT estaba llena (net.ipv4.tcp_max_tw_buckets).",
		 "El lado que cierra primero (el que cierra de forma activa).",
		 "Muchísimas conexiones cortas cerradas por este equipo; los "
		 "paquetes rezagados de conexiones viejas pueden confundirse ahora "
		 "con los de otras nuevas. Reutilice las conexiones (keep-alive) o "
		 "deje que cierre primero el otro extremo, en vez de subir el "
		 "límite.", NULL},
	}},
	/* ---- findings of diagnose: what is wrong (title), what it means,
	 * whose problem it is, what to do ---- */
	[FINDING_ROW(SOCKSTATE_FINDING_NO_LISTENER)] = {SOCKSTATE_SIDE_SERVER, {
		{"No socket is in LISTEN on this port, so the system refuses every "
		 "connection to it at once (a reset: \"connection refused\"). The "
		 "service is not running, failed to start, or listens on another "
		 "port.",
		 "The server: the service that should listen on this port.",
		 "Start the service, or read its logs for why it stopped or could "
		 "not take the port (a permission error, the port already in use, "
		 "a wrong port in its configuration). Then check that something "
		 "listens: sockstate wait --listen PORT.",
		 "Nothing listens on the port"},
		{"Ningún socket está en LISTEN en este puerto, así que el sistema "
		 "rechaza al instante cualquier conexión hacia él (un reset: "
		 "«conexión rechazada»). El servicio no está en marcha, no llegó a "
		 "arrancar o escucha en otro puerto.",
		 "El servidor: el servicio que debería escuchar en este puerto.",
		 "Arranque el servicio, o lea sus registros para saber por qué se "
		 "detuvo o no pudo tomar el puerto (un error de permisos, el puerto "
		 "ya ocupado, un puerto equivocado en su configuración). Después "
		 "compruebe que algo escucha: sockstate wait --listen PUERTO.",
		 "Nada escucha en el puerto"},
	}},
	[FINDING_ROW(SOCKSTATE_FINDING_LISTENER_NOT_ON_ADDRESS)] = {SOCKSTATE_SIDE_SERVER, {
		{"Something listens on this port, but bound to other addresses than "
		 "the one clients use, or only to loopback (127.0.0.1, ::1), which "
		 "only this machine reaches. Connections to the other addresses "
		 "are refused.",
		 "The server: the address its configuration binds the service to.",
		 "Make the service listen on the address clients use, or on every "
		 "address (0.0.0.0 and ::): look for a bind, listen or host "
		 "setting in its configuration (bind-address, listen_addresses, "
		 "server.address...). If loopback only was meant, clients must "
		 "connect from this machine.",
		 "The port listens, but not where clients connect"},
		{"Algo escucha en este puerto, pero ligado a otras direcciones que "
		 "la que usan los clientes, o solo a loopback (127.0.0.1, ::1), a "
		 "la que solo llega esta máquina. Las conexiones a las demás "
		 "direcciones se rechazan.",
		 "El servidor: la dirección a la que su configuración liga el "
		 "servicio.",
		 "Haga que el servicio escuche en la dirección que usan los "
		 "clientes, o en todas (0.0.0.0 y ::): busque un ajuste bind, "
		 "listen o host en su configuración (bind-address, "
		 "listen_addresses, server.address...). Si solo se quería "
		 "loopback, los clientes deben conectar desde esta máquina.",
		 "El puerto escucha, pero no donde conectan los clientes"},
	}},
	[FINDING_ROW(SOCKSTATE_FINDING_IPV6_ONLY_LISTENER)] = {SOCKSTATE_SIDE_SERVER, {
		{"The service listens on [::] with IPV6_V6ONLY set, so it accepts "
		 "IPv6 connections only; with no IPv4 listener beside it, IPv4 "
		 "clients are refused. Some systems set IPV6_V6ONLY by default "
		 "(Windows, FreeBSD, Linux with net.ipv6.bindv6only=1).",
		 "The server: how the service opens its listening socket.",
		 "Let the service listen on 0.0.0.0 too (a second listener), or "
		 "turn IPV6_V6ONLY off for its socket (often a setting such as "
		 "ipv6only=off, or a dual-stack option). If IPv6 only is meant, "
		 "the clients must use IPv6 (the name must resolve to an IPv6 "
		 "address).",
		 "The listener is IPv6-only: IPv4 clients are refused"},
		{"El servicio escucha en [::] con IPV6_V6ONLY activado, así que "
		 "solo acepta conexiones IPv6; sin un socket IPv4 en escucha a su "
		 "lado, se rechaza a los clientes IPv4. Algunos sistemas activan "
		 "IPV6_V6ONLY por defecto (Windows, FreeBSD, Linux con "
		 "net.ipv6.bindv6only=1).",
		 "El servidor: cómo abre el servicio su socket en escucha.",
		 "Haga que el servicio escuche también en 0.0.0.0 (un segundo "
		 "socket en escucha), o desactive IPV6_V6ONLY en su socket (a "
		 "menudo un ajuste como ipv6only=off, o una opción de doble "
		 "pila). Si se quiere solo IPv6, los clientes deben usar IPv6 (el "
		 "nombre debe resolverse a una dirección IPv6).",
		 "El socket en escucha es solo IPv6: se rechaza a los clientes IPv4"},
	}},
	[FINDING_ROW(SOCKSTATE_FINDING_ACCEPT_QUEUE_OVERFLOW)] = {SOCKSTATE_SIDE_SERVER, {
		{"Connections that completed the handshake wait in the listener's "
		 "accept queue until the application accepts them. When the queue "
		 "is full the system drops new ones: clients see timeouts and "
		 "retries, not refusals. The application accepts too slowly "
		 "(overloaded, blocked or stuck), or the backlog is too small for "
		 "the bursts.",
		 "The server: the application that owns the listener.",
		 "Find why the application does not accept: its threads or "
		 "workers may all be busy or blocked (look at its CPU, its logs, a "
		 "thread dump). Add workers or capacity; raise the listen backlog "
		 "(the application's setting, capped by net.core.somaxconn on "
		 "Linux and kern.ipc.soacceptqueue on FreeBSD) if the bursts are "
		 "short.",
		 "The accept queue is full: connections are dropped"},
		{"Las conexiones que completaron el saludo esperan en la cola de "
		 "aceptación del socket en escucha hasta que la aplicación las "
		 "acepta. Con la cola llena, el sistema descarta las nuevas: los "
		 "clientes ven esperas agotadas y reintentos, no rechazos. La "
		 "aplicación acepta demasiado despacio (sobrecargada, bloqueada o "
		 "colgada), o el backlog es pequeño para las ráfagas.",
		 "El servidor: la aplicación dueña del socket en escucha.",
		 "Averigüe por qué la aplicación no acepta: puede que todos sus "
		 "hilos o procesos de trabajo estén ocupados o bloqueados (mire su "
		 "CPU, sus registros, un volcado de hilos). Añada procesos o "
		 "capacidad; suba el backlog de escucha (el ajuste de la "
		 "aplicación, limitado por net.core.somaxconn en Linux y "
		 "kern.ipc.soacceptqueue en FreeBSD) si las ráfagas son cortas.",
		 "La cola de aceptación está llena: se descartan conexiones"},
	}},
	[FINDING_ROW(SOCKSTATE_FINDING_SYN_RECEIVED_PILE)] = {SOCKSTATE_SIDE_SERVER, {
		{"Connections in SYN_RECEIVED got this server's SYN-ACK but not the "
		 "client's final ACK. That normally takes one round trip; when many "
		 "stay and the SYN-ACK is sent again, either the final ACKs are "
		 "lost on the way (a firewall, asymmetric routing) or the SYNs come "
		 "from addresses that will never answer: a SYN flood. SYN cookies "
		 "sent mean the queue of half-open connections overflowed.",
		 "The server, and the network between it and its clients.",
		 "Look at the peers: many different addresses and cookies sent "
		 "point to a flood (keep SYN cookies on, net.ipv4.tcp_syncookies=1; "
		 "filter it upstream). A few known clients point to lost ACKs: "
		 "check the firewalls and load balancers between them and this "
		 "host (and their state tables), and asymmetric routes.",
		 "Half-open connections pile up"},
		{"Las conexiones en SYN_RECEIVED recibieron el SYN-ACK de este "
		 "servidor pero no el ACK final del cliente. Eso tarda normalmente "
		 "un viaje de ida y vuelta; si muchas se quedan y el SYN-ACK se "
		 "reenvía, o los ACK finales se pierden por el camino (un "
		 "cortafuegos, un enrutamiento asimétrico) o los SYN llegan desde "
		 "direcciones que nunca responderán: una inundación de SYN. Si se "
		 "enviaron SYN cookies, la cola de conexiones a medio abrir se "
		 "desbordó.",
		 "El servidor, y la red entre él y sus clientes.",
		 "Mire los extremos remotos: muchas direcciones distintas y cookies "
		 "enviadas apuntan a una inundación (mantenga las SYN cookies, "
		 "net.ipv4.tcp_syncookies=1; fíltrela antes de que llegue). Unos "
		 "pocos clientes conocidos apuntan a ACK perdidos: revise los "
		 "cortafuegos y balanceadores entre ellos y este equipo (y sus "
		 "tablas de estado), y las rutas asimétricas.",
		 "Se acumulan conexiones a medio abrir"},
	}},
	[FINDING_ROW(SOCKSTATE_FINDING_CLOSE_WAIT_LEAK)] = {SOCKSTATE_SIDE_PEER, {
		{"The peer closed these connections and this process has not: a "
		 "socket stays in CLOSE_WAIT until its application calls close(), "
		 "for ever if it never does. Many of them under one process are a "
		 "bug of that application (a close missed on some error path, a "
		 "connection pool that does not notice closed connections), and "
		 "end in running out of file descriptors.",
		 "The application that owns the sockets (this side closes second).",
		 "Restarting the process releases them for now; the fix is in the "
		 "application: close the socket when a read returns end of file or "
		 "an error, and make connection pools check a connection before "
		 "reusing it. The ports and peers of its sockets, and the "
		 "process's open descriptors (ls -l /proc/PID/fd on Linux), show "
		 "which code holds them.",
		 "A process does not close its connections (CLOSE_WAIT)"},
		{"El otro extremo cerró estas conexiones y este proceso no: un "
		 "socket se queda en CLOSE_WAIT hasta que su aplicación llama a "
		 "close(), para siempre si no lo hace nunca. Muchos bajo un mismo "
		 "proceso son un error de esa aplicación (un close olvidado en "
		 "alguna ruta de error, un pool de conexiones que no nota las "
		 "cerradas), y acaban agotando sus descriptores de archivo.",
		 "La aplicación dueña de los sockets (este lado cierra en segundo "
		 "lugar).",
		 "Reiniciar el proceso los libera por ahora; la solución está en la "
		 "aplicación: cerrar el socket cuando una lectura devuelve fin de "
		 "archivo o un error, y hacer que los pools de conexiones "
		 "comprueben cada conexión antes de reutilizarla. Los puertos y "
		 "extremos de sus sockets, y los descriptores abiertos del proceso "
		 "(ls -l /proc/PID/fd en Linux), muestran qué código los retiene.",
		 "Un proceso no cierra sus conexiones (CLOSE_WAIT)"},
	}},
	[FINDING_ROW(SOCKSTATE_FINDING_SYN_SENT_UNANSWERED)] = {SOCKSTATE_SIDE_CLIENT, {
		{"These connections sent a SYN and got nothing back: no SYN-ACK, no "
		 "reset, no ICMP error. The SYN or its answer is dropped silently "
		 "on the way: a firewall that drops instead of rejecting, a host "
		 "that is down or absent, a wrong address or route. (A closed port "
		 "would refuse at once.)",
		 UNANSWERED_WHOSE_EN,
		 UNANSWERED_ADVICE_EN,
		 "Connection attempts get no answer"},
		{"Estas conexiones enviaron un SYN y no recibieron nada: ni SYN-ACK, "
		 "ni reset, ni error ICMP. El SYN o su respuesta se descarta en "
		 "silencio por el camino: un cortafuegos que descarta en vez de "
		 "rechazar, un equipo apagado o inexistente, una dirección o una "
		 "ruta equivocadas. (Un puerto cerrado rechazaría al instante.)",
		 UNANSWERED_WHOSE_ES,
		 UNANSWERED_ADVICE_ES,
		 "Los intentos de conexión no obtienen respuesta"},
	}},
	[FINDING_ROW(SOCKSTATE_FINDING_EPHEMERAL_PORTS_LOW)] = {SOCKSTATE_SIDE_CLIENT, {
		{"Each connection from one local address to one destination "
		 "(address and port) needs a local port of its own from the "
		 "ephemeral range, and keeps it through TIME_WAIT after it closes. "
		 "When most of the range is in use, new connections to that "
		 "destination fail with \"cannot assign requested address\" "
		 "(EADDRNOTAVAIL) or stall.",
		 PORTS_WHOSE_EN,
		 "Reuse connections (keep-alive, a connection pool) instead of one "
		 "per request; let the server close first where the protocol "
		 "allows, so TIME_WAIT stays on its side; widen the ephemeral range "
		 "(Linux net.ipv4.ip_local_port_range, FreeBSD "
		 "net.inet.ip.portrange.first/last, Windows netsh int ipv4 set "
		 "dynamicport tcp); or spread over more destination or source "
		 "addresses.",
		 "Few local ports are left towards a destination"},
		{"Cada conexión desde una dirección local a un destino (dirección y "
		 "puerto) necesita su propio puerto local del rango efímero, y lo "
		 "conserva durante TIME_WAIT tras cerrarse. Cuando casi todo el "
		 "rango está en uso, las conexiones nuevas a ese destino fallan con "
		 "«no se puede asignar la dirección solicitada» (EADDRNOTAVAIL) o "
		 "se quedan esperando.",
		 PORTS_WHOSE_ES,
		 "Reutilice las conexiones (keep-alive, un pool de conexiones) en "
		 "vez de una por petición; deje que cierre primero el servidor "
		 "donde el protocolo lo permita, para que TIME_WAIT quede de su "
		 "lado; amplíe el rango efímero (net.ipv4.ip_local_port_range en "
		 "Linux, net.inet.ip.portrange.first/last en FreeBSD, netsh int "
		 "ipv4 set dynamicport tcp en Windows); o reparta entre más "
		 "direcciones de destino u origen.",
		 "Quedan pocos puertos locales hacia un destino"},
	}},
	[FINDING_ROW(SOCKSTATE_FINDING_TIME_WAIT_PILE)] = {SOCKSTATE_SIDE_CLOSER, {
		{"This host closed many connections first, and each waits in "
		 "TIME_WAIT (60 s on Linux, up to 240 s on Windows) holding its "
		 "local port. That is normal for a while; this many means very many "
		 "short connections, and the ports they hold come from the "
		 "ephemeral range that new outgoing connections need. A full "
		 "TIME_WAIT table makes the system skip TIME_WAIT, so late packets "
		 "of old connections may be taken for new ones.",
		 "The side that closes first (here, this host).",
		 "Reuse connections (keep-alive, pooling); let the peer close first "
		 "where the protocol allows. On Linux, net.ipv4.tcp_tw_reuse=1 lets "
		 "new outgoing connections reuse TIME_WAIT ports safely; do not "
		 "shorten TIME_WAIT by other means.",
		 "TIME_WAIT sockets pile up"},
		{"Este equipo cerró primero muchas conexiones, y cada una espera en "
		 "TIME_WAIT (60 s en Linux, hasta 240 s en Windows) reteniendo su "
		 "puerto local. Es normal durante un rato; tantas significan "
		 "muchísimas conexiones cortas, y los puertos que retienen salen "
		 "del rango efímero que necesitan las conexiones salientes nuevas. "
		 "Con la tabla de TIME_WAIT llena el sistema se salta TIME_WAIT, y "
		 "paquetes rezagados pueden tomarse por los de conexiones nuevas.",
		 "El lado que cierra primero (aquí, este equipo).",
		 "Reutilice las conexiones (keep-alive, pools); deje que cierre "
		 "primero el otro extremo donde el protocolo lo permita. En Linux, "
		 "net.ipv4.tcp_tw_reuse=1 permite a las conexiones salientes nuevas "
		 "reutilizar con seguridad puertos en TIME_WAIT; no acorte "
		 "TIME_WAIT por otros medios.",
		 "Se acumulan sockets en TIME_WAIT"},
	}},
	[FINDING_ROW(SOCKSTATE_FINDING_RETRANSMISSIONS_HIGH)] = {SOCKSTATE_SIDE_BOTH, {
		{"A share of the TCP segments this host sent had to be sent again, "
		 "because they or their acknowledgments were lost or came too late. "
		 "From about 1 % throughput falls noticeably and latency grows; "
		 "well above it, applications see stalls and timeouts.",
		 "Both sides, and the network between them.",
		 "Look for loss on the path: interface errors and drops (ip -s link, "
		 "netstat -i), a saturated link or queue, a faulty cable or Wi-Fi, "
		 "a duplex mismatch, an overloaded firewall or VPN. sockstate "
		 "--tcp-info shows which connections retransmit (total_retrans).",
		 "Many segments are sent again"},
		{"Una parte de los segmentos TCP que envió este equipo tuvo que "
		 "reenviarse, porque ellos o sus confirmaciones se perdieron o "
		 "llegaron tarde. A partir de un 1 % el rendimiento cae de forma "
		 "notable y la latencia crece; muy por encima, las aplicaciones "
		 "sufren parones y esperas agotadas.",
		 "Ambos lados, y la red entre ellos.",
		 "Busque pérdidas en el camino: errores y descartes de las "
		 "interfaces (ip -s link, netstat -i), un enlace o una cola "
		 "saturados, un cable o una Wi-Fi defectuosos, un desajuste de "
		 "dúplex, un cortafuegos o una VPN sobrecargados. sockstate "
		 "--tcp-info muestra qué conexiones retransmiten (total_retrans).",
		 "Se reenvían muchos segmentos"},
	}},
	[FINDING_ROW(SOCKSTATE_FINDING_CONNECTION_REFUSED)] = {SOCKSTATE_SIDE_CLIENT, {
		{"The probe's connection was answered with a reset (or an ICMP port "
		 "unreachable): the destination host is reachable, but nothing "
		 "listens on that port there, or a firewall rejects the "
		 "connection.",
		 "The destination: the service at that address and port.",
		 "On the destination, check that the service runs and listens on "
		 "that port and address (there: sockstate diagnose --port PORT); "
		 "look for a firewall rule that rejects (REJECT with tcp-reset, a "
		 "host firewall).",
		 "The connection was refused"},
		{"La conexión de la sonda recibió un reset (o un ICMP de puerto "
		 "inalcanzable): el equipo de destino es alcanzable, pero allí nada "
		 "escucha en ese puerto, o un cortafuegos rechaza la conexión.",
		 "El destino: el servicio en esa dirección y puerto.",
		 "En el destino, compruebe que el servicio está en marcha y escucha "
		 "en ese puerto y dirección (allí: sockstate diagnose --port "
		 "PUERTO); busque una regla de cortafuegos que rechace (REJECT con "
		 "tcp-reset, un cortafuegos del propio equipo).",
		 "La conexión fue rechazada"},
	}},
	[FINDING_ROW(SOCKSTATE_FINDING_CONNECTION_TIMEOUT)] = {SOCKSTATE_SIDE_CLIENT, {
		{"The probe sent its SYN, and sent it again, and got no answer in "
		 "the time allowed: no SYN-ACK, no reset, no error. Something drops "
		 "the packets silently: a firewall, a host that is down, a wrong "
		 "route or address.",
		 UNANSWERED_WHOSE_EN,
		 UNANSWERED_ADVICE_EN,
		 "The connection attempt timed out"},
		{"La sonda envió su SYN, y lo reenvió, y no obtuvo respuesta en el "
		 "tiempo permitido: ni SYN-ACK, ni reset, ni error. Algo descarta "
		 "los paquetes en silencio: un cortafuegos, un equipo apagado, una "
		 "ruta o una dirección equivocadas.",
		 UNANSWERED_WHOSE_ES,
		 UNANSWERED_ADVICE_ES,
		 "El intento de conexión agotó su tiempo"},
	}},
	[FINDING_ROW(SOCKSTATE_FINDING_NO_ROUTE)] = {SOCKSTATE_SIDE_CLIENT, {
		{"The connection failed at once with host or network unreachable: "
		 "this host has no route to the address, a router on the way "
		 "answered that it cannot reach it, or a firewall rule of this host "
		 "forbade the connection.",
		 "This host's routes and firewall, or the network on the way.",
		 "Check the address; check this host's routes (ip route get "
		 "ADDRESS, route -n get ADDRESS, route print) and interfaces; check "
		 "the firewall rules on outgoing traffic here; ask the network "
		 "team about the path.",
		 "No route to the destination"},
		{"La conexión falló al instante con equipo o red inalcanzable: este "
		 "equipo no tiene ruta a la dirección, un router del camino "
		 "respondió que no puede llegar a ella, o una regla de cortafuegos "
		 "de este equipo prohibió la conexión.",
		 "Las rutas y el cortafuegos de este equipo, o la red del camino.",
		 "Compruebe la dirección; revise las rutas de este equipo (ip route "
		 "get DIRECCIÓN, route -n get DIRECCIÓN, route print) y sus "
		 "interfaces; revise aquí las reglas de cortafuegos del tráfico "
		 "saliente; consulte al equipo de red por el camino.",
		 "No hay ruta hasta el destino"},
	}},
	[FINDING_ROW(SOCKSTATE_FINDING_NO_EPHEMERAL_PORT)] = {SOCKSTATE_SIDE_CLIENT, {
		{"The probe's connect failed with \"cannot assign requested "
		 "address\" (EADDRNOTAVAIL): every port of the ephemeral range is "
		 "in use towards that destination (many of them in TIME_WAIT), or "
		 "the source address is not configured here.",
		 PORTS_WHOSE_EN,
		 "Reuse connections (keep-alive, a connection pool) instead of one "
		 "per request; let the server close first where the protocol "
		 "allows; widen the ephemeral range (Linux "
		 "net.ipv4.ip_local_port_range, FreeBSD "
		 "net.inet.ip.portrange.first/last, Windows netsh int ipv4 set "
		 "dynamicport tcp).",
		 "No free local port for the connection"},
		{"El connect de la sonda falló con «no se puede asignar la "
		 "dirección solicitada» (EADDRNOTAVAIL): todos los puertos del "
		 "rango efímero están en uso hacia ese destino (muchos en "
		 "TIME_WAIT), o la dirección de origen no está configurada aquí.",
		 PORTS_WHOSE_ES,
		 "Reutilice las conexiones (keep-alive, un pool de conexiones) en "
		 "vez de una por petición; deje que cierre primero el servidor "
		 "donde el protocolo lo permita; amplíe el rango efímero "
		 "(net.ipv4.ip_local_port_range en Linux, "
		 "net.inet.ip.portrange.first/last en FreeBSD, netsh int ipv4 set "
		 "dynamicport tcp en Windows).",
		 "No hay un puerto local libre para la conexión"},
	}},
};

/* ---- the words of a diagnosis: labels, severities, statuses, notes,
 * and each finding's headlines with their placeholders
 * (sockstate__expand), both languages side by side ---- */

static const char *const words[SOCKSTATE__W_COUNT][LANG_COUNT] = {
	[SOCKSTATE__W_INFO] = {"INFO", "INFO"},
	[SOCKSTATE__W_WARNING] = {"WARNING", "AVISO"},
	[SOCKSTATE__W_CRITICAL] = {"CRITICAL", "CRÍTICO"},
	[SOCKSTATE__W_SOCKETS] = {"sockets:", "sockets:"},
	[SOCKSTATE__W_COUNTERS] = {"counters:", "contadores:"},
	[SOCKSTATE__W_MEANING] = {"meaning:", "significado:"},
	[SOCKSTATE__W_ADVICE] = {"what to do:", "qué hacer:"},
	[SOCKSTATE__W_PROBE] = {"probe:", "sonda:"},
	[SOCKSTATE__W_WINDOW] = {"window:", "ventana:"},
	[SOCKSTATE__W_UNCHECKED] = {"not checked:", "sin revisar:"},
	[SOCKSTATE__W_MORE] = {"... and {count} more", "... y {count} más"},
	[SOCKSTATE__W_NO_PROBLEM] = {"No problem found.", "No se encontró ningún problema."},
	[SOCKSTATE__W_WINDOW_DELTA] = {"TCP counters compared over {seconds} s",
	                               "contadores TCP comparados durante {seconds} s"},
	[SOCKSTATE__W_WINDOW_BOOT] = {"TCP counters since boot only (--interval 0): "
	                              "changes not judged",
	                              "contadores TCP solo desde el arranque "
	                              "(--interval 0): los cambios no se juzgan"},
	[SOCKSTATE__W_WINDOW_NONE] = {"no TCP counters: {error}", "sin contadores TCP: {error}"},
	[SOCKSTATE__W_IN_SECONDS] = {"in {seconds} s", "en {seconds} s"},
	[SOCKSTATE__W_SINCE_BOOT] = {"since boot", "desde el arranque"},
	[SOCKSTATE__W_SEEN] = {"{count} {s:socket|sockets} looked at ({backend})",
	                       "{count} {s:socket examinado|sockets examinados} ({backend})"},
	[SOCKSTATE__W_PROBE_OK] = {"connected to {remote} in {ms} ms",
	                           "conectó con {remote} en {ms} ms"},
	[SOCKSTATE__W_PROBE_FAIL] = {"{remote}: {error} after {ms} ms",
	                             "{remote}: {error} tras {ms} ms"},
	[SOCKSTATE__W_OWNER_UNKNOWN] = {"owner unknown", "propietario desconocido"},
	[SOCKSTATE__W_QUEUE] = {"queue {count} of {limit}", "cola {count} de {limit}"},
	[SOCKSTATE__W_RETRANSMITS] = {"{count} {s:retransmission|retransmissions}",
	                              "{count} {s:retransmisión|retransmisiones}"},
	[SOCKSTATE__W_NOT_ASKED] = {"not asked", "no pedido"},
	[SOCKSTATE__W_NOT_CHECKED] = {"not checked", "no comprobado"},
	[SOCKSTATE__W_NOT_JUDGED] = {"not judged", "no juzgado"},
	[SOCKSTATE__W_NOTE_FIRST + 0] = {"needs --port", "necesita --port"},
	[SOCKSTATE__W_NOTE_FIRST + 1] = {"needs --addr", "necesita --addr"},
	[SOCKSTATE__W_NOTE_FIRST + 2] = {"needs --to", "necesita --to"},
	[SOCKSTATE__W_NOTE_FIRST + 3] = {"needs --probe", "necesita --probe"},
	[SOCKSTATE__W_NOTE_FIRST + 4] = {"the TCP counters could not be read",
	                                 "no se pudieron leer los contadores TCP"},
	[SOCKSTATE__W_NOTE_FIRST + 5] = {"this OS does not keep a counter it uses",
	                                 "este sistema no lleva un contador que usa"},
	[SOCKSTATE__W_NOTE_FIRST + 6] = {"one sample only (--interval 0)",
	                                 "una sola muestra (--interval 0)"},
	[SOCKSTATE__W_NOTE_FIRST + 7] = {"listeners' backlog unknown here",
	                                 "aquí no se conoce el backlog de los sockets "
	                                 "en escucha"},
	[SOCKSTATE__W_NOTE_FIRST + 8] = {"IPV6_V6ONLY unknown here",
	                                 "aquí no se conoce IPV6_V6ONLY"},
	[SOCKSTATE__W_NOTE_FIRST + 9] = {"the ephemeral port range is unknown",
	                                 "el rango de puertos efímeros es desconocido"},
	[SOCKSTATE__W_NOTE_FIRST + 10] = {"the ephemeral range is the OS's default, "
	                                  "not read",
	                                  "el rango efímero es el predeterminado del "
	                                  "sistema, no leído"},
	[SOCKSTATE__W_NOTE_FIRST + 11] = {"sockets' retransmissions unknown here",
	                                  "aquí no se conocen las retransmisiones de "
	                                  "los sockets"},
	[SOCKSTATE__W_NOTE_FIRST + 12] = {"some owners could not be read (root can)",
	                                  "no se pudieron leer algunos propietarios "
	                                  "(root puede)"},
};

static const char *const headlines[SOCKSTATE_FINDING_COUNT][SOCKSTATE__VARIANTS][LANG_COUNT] = {
	[SOCKSTATE_FINDING_NO_LISTENER] = {
		{"Nothing listens on port {port}", "Nada escucha en el puerto {port}"},
	},
	[SOCKSTATE_FINDING_LISTENER_NOT_ON_ADDRESS] = {
		{"Port {port} listens on {listeners}, not on {address}",
		 "El puerto {port} escucha en {listeners}, no en {address}"},
		{"Port {port} listens only on loopback ({listeners}): other hosts "
		 "cannot connect",
		 "El puerto {port} solo escucha en loopback ({listeners}): otros "
		 "equipos no pueden conectar"},
	},
	[SOCKSTATE_FINDING_IPV6_ONLY_LISTENER] = {
		{"{local} is IPv6-only (IPV6_V6ONLY) and nothing on port {port} takes "
		 "IPv4: IPv4 clients are refused",
		 "{local} es solo IPv6 (IPV6_V6ONLY) y nada en el puerto {port} "
		 "acepta IPv4: se rechaza a los clientes IPv4"},
	},
	[SOCKSTATE_FINDING_ACCEPT_QUEUE_OVERFLOW] = {
		{"The accept queue of {local} is full: {count} {s:connection waits|"
		 "connections wait} to be accepted, backlog {limit}",
		 "La cola de aceptación de {local} está llena: {count} {s:conexión "
		 "espera|conexiones esperan} a ser {s:aceptada|aceptadas}, backlog "
		 "{limit}"},
		{"Listeners dropped {count} {s:connection|connections} in {seconds} s: "
		 "an accept queue overflowed",
		 "Los sockets en escucha descartaron {count} {s:conexión|conexiones} "
		 "en {seconds} s: una cola de aceptación se desbordó"},
	},
	[SOCKSTATE_FINDING_SYN_RECEIVED_PILE] = {
		{"{count} half-open connections (SYN_RECEIVED) on {local} wait for the "
		 "clients' final ACK",
		 "{count} conexiones a medio abrir (SYN_RECEIVED) en {local} esperan el "
		 "ACK final de los clientes"},
		{"{count} half-open connections (SYN_RECEIVED) on {local}, and SYN "
		 "cookies sent: a SYN flood, or a queue too small",
		 "{count} conexiones a medio abrir (SYN_RECEIVED) en {local}, y SYN "
		 "cookies enviadas: una inundación de SYN, o una cola demasiado "
		 "pequeña"},
		{"{count} SYN {s:cookie|cookies} sent in {seconds} s: a listener's queue "
		 "of half-open connections overflowed",
		 "{count} SYN {s:cookie enviada|cookies enviadas} en {seconds} s: la "
		 "cola de conexiones a medio abrir de un socket en escucha se "
		 "desbordó"},
	},
	[SOCKSTATE_FINDING_CLOSE_WAIT_LEAK] = {
		{"{owner} holds {count} connections in CLOSE_WAIT on local {p:port|"
		 "ports} {ports}: it does not close them",
		 "{owner} retiene {count} conexiones en CLOSE_WAIT en {p:el puerto "
		 "local|los puertos locales} {ports}: no las cierra"},
		{"{count} connections in CLOSE_WAIT on local {p:port|ports} {ports} "
		 "have no owner that could be read (in an accept queue, or another "
		 "user's)",
		 "{count} conexiones en CLOSE_WAIT en {p:el puerto local|los puertos "
		 "locales} {ports} no tienen un propietario legible (en una cola de "
		 "aceptación, o de otro usuario)"},
	},
	[SOCKSTATE_FINDING_SYN_SENT_UNANSWERED] = {
		{"{count} {s:connection|connections} to {remote} {s:stays|stay} in "
		 "SYN_SENT: the SYNs get no answer",
		 "{count} {s:conexión|conexiones} a {remote} {s:sigue|siguen} en "
		 "SYN_SENT: los SYN no obtienen respuesta"},
	},
	[SOCKSTATE_FINDING_EPHEMERAL_PORTS_LOW] = {
		{"{count} of the {limit} ephemeral ports ({percent} %) are in use from "
		 "{local} towards {remote}",
		 "{count} de los {limit} puertos efímeros ({percent} %) están en uso "
		 "desde {local} hacia {remote}"},
	},
	[SOCKSTATE_FINDING_TIME_WAIT_PILE] = {
		{"{count} outgoing connections wait in TIME_WAIT: {percent} % of the "
		 "{limit} ephemeral ports",
		 "{count} conexiones salientes esperan en TIME_WAIT: el {percent} % de "
		 "los {limit} puertos efímeros"},
		{"The TIME_WAIT table was full {count} {s:time|times} in {seconds} s: "
		 "connections skipped TIME_WAIT",
		 "La tabla de TIME_WAIT se llenó {count} {s:vez|veces} en {seconds} s: "
		 "hubo conexiones que se saltaron TIME_WAIT"},
	},
	[SOCKSTATE_FINDING_RETRANSMISSIONS_HIGH] = {
		{"{percent} % of the segments sent were sent again: {count} of {limit} "
		 "in {seconds} s",
		 "Se reenvió el {percent} % de los segmentos enviados: {count} de "
		 "{limit} en {seconds} s"},
	},
	[SOCKSTATE_FINDING_CONNECTION_REFUSED] = {
		{"{remote} refused the connection ({error}, after {ms} ms)",
		 "{remote} rechazó la conexión ({error}, tras {ms} ms)"},
	},
	[SOCKSTATE_FINDING_CONNECTION_TIMEOUT] = {
		{"{remote} did not answer in {seconds} s: {count} {s:SYN|SYNs} sent, "
		 "no answer",
		 "{remote} no respondió en {seconds} s: {count} SYN {s:enviado|"
		 "enviados}, sin respuesta"},
		{"{remote} did not answer in {seconds} s",
		 "{remote} no respondió en {seconds} s"},
	},
	[SOCKSTATE_FINDING_NO_ROUTE] = {
		{"No route to {remote} ({error})", "No hay ruta hasta {remote} ({error})"},
	},
	[SOCKSTATE_FINDING_NO_EPHEMERAL_PORT] = {
		{"No free local port to connect to {remote} ({error})",
		 "No hay un puerto local libre para conectar con {remote} ({error})"},
	},
};

/* NULL, "", "C", "POSIX" and "en..." are English, "es..." Spanish; a
 * two-letter code may be followed by a locale's territory, codeset or
 * modifier ("es_ES.UTF-8", "en-US", "es@euro"), nothing else. */
static int lang_parse(const char *lang, enum lang *out)
{
	if (!lang || !*lang || strcmp(lang, "POSIX") == 0 ||
	    (lang[0] == 'C' && (lang[1] == '\0' || lang[1] == '.'))) {
		*out = LANG_EN;
		return 0;
	}
	char a = lang[0], b = lang[1];
	if (a >= 'A' && a <= 'Z')
		a = (char)(a - 'A' + 'a');
	if (b >= 'A' && b <= 'Z')
		b = (char)(b - 'A' + 'a');
	char next = b ? lang[2] : 'x';
	if (next != '\0' && next != '_' && next != '-' && next != '.' &&
	    next != '@')
		return SOCKSTATE_EINVAL;
	if (a == 'e' && b == 'n')
		*out = LANG_EN;
	else if (a == 'e' && b == 's')
		*out = LANG_ES;
	else
		return SOCKSTATE_EINVAL;
	return 0;
}

/* The row of id in topic, and lang parsed; NULL when either is unknown. */
static const struct explanation *explanation_of(enum topic topic, unsigned id,
                                                const char *lang, enum lang *l)
{
	if (id >= topics[topic].count || lang_parse(lang, l) != 0)
		return NULL;
	return &explanations[topics[topic].first + id];
}

SOCKSTATE_API int sockstate_state_describe(sockstate_state s, const char *lang,
                                           sockstate_state_info *out)
{
	if (!out)
		return SOCKSTATE_EINVAL;
	memset(out, 0, sizeof *out);
	enum lang l;
	const struct explanation *e = explanation_of(TOPIC_STATE, (unsigned)s, lang, &l);
	if (!e)
		return SOCKSTATE_EINVAL;

	out->state = s;
	out->side = e->side;
	out->name = sockstate_state_name(s);
	out->meaning = e->text[l].meaning;
	out->seen_by = e->text[l].who;
	out->pile_means = e->text[l].signal;
	return 0;
}

SOCKSTATE_API int sockstate_counter_describe(sockstate_counter c, const char *lang,
                                             sockstate_counter_info *out)
{
	if (!out)
		return SOCKSTATE_EINVAL;
	memset(out, 0, sizeof *out);
	enum lang l;
	const struct explanation *e = explanation_of(TOPIC_COUNTER, (unsigned)c, lang, &l);
	if (!e)
		return SOCKSTATE_EINVAL;

	out->counter = c;
	out->side = e->side;
	out->name = sockstate_counter_name(c);
	out->meaning = e->text[l].meaning;
	out->counted_by = e->text[l].who;
	out->growth_means = e->text[l].signal;
	return 0;
}

SOCKSTATE_API int sockstate_finding_describe(sockstate_finding_code c, const char *lang,
                                             sockstate_finding_info *out)
{
	if (!out)
		return SOCKSTATE_EINVAL;
	memset(out, 0, sizeof *out);
	enum lang l;
	const struct explanation *e = explanation_of(TOPIC_FINDING, (unsigned)c, lang, &l);
	if (!e)
		return SOCKSTATE_EINVAL;

	out->code = c;
	out->side = e->side;
	out->name = sockstate_finding_name(c);
	out->title = e->text[l].title;
	out->meaning = e->text[l].meaning;
	out->whose = e->text[l].who;
	out->advice = e->text[l].signal;
	return 0;
}

int sockstate__lang_index(const char *lang)
{
	enum lang l;

	return lang_parse(lang, &l) == 0 ? (int)l : -1;
}

const char *sockstate__lang_code(int lang)
{
	static const char *const codes[LANG_COUNT] = {[LANG_EN] = "en", [LANG_ES] = "es"};

	return lang >= 0 && lang < LANG_COUNT ? codes[lang] : NULL;
}

const char *sockstate__word(enum sockstate__word w, int lang)
{
	if ((unsigned)w >= SOCKSTATE__W_COUNT || lang < 0 || lang >= LANG_COUNT)
		return "";
	return words[w][lang];
}

const char *sockstate__headline(sockstate_finding_code code, unsigned variant, int lang)
{
	if ((unsigned)code >= SOCKSTATE_FINDING_COUNT || variant >= SOCKSTATE__VARIANTS ||
	    lang < 0 || lang >= LANG_COUNT)
		return NULL;
	return headlines[code][variant][lang];
}

/* The text a placeholder names, or NULL (then "?" is written). */
static const char *arg_text(const struct sockstate__text_args *a, const char *name,
                            size_t len, char num[24])
{
	static const struct {
		const char *name;
		size_t offset;
	} strings[] = {
		{"local", offsetof(struct sockstate__text_args, local)},
		{"remote", offsetof(struct sockstate__text_args, remote)},
		{"address", offsetof(struct sockstate__text_args, address)},
		{"listeners", offsetof(struct sockstate__text_args, listeners)},
		{"owner", offsetof(struct sockstate__text_args, owner)},
		{"ports", offsetof(struct sockstate__text_args, ports)},
		{"percent", offsetof(struct sockstate__text_args, percent)},
		{"seconds", offsetof(struct sockstate__text_args, seconds)},
		{"ms", offsetof(struct sockstate__text_args, ms)},
		{"error", offsetof(struct sockstate__text_args, error)},
		{"backend", offsetof(struct sockstate__text_args, backend)},
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
		if (strlen(strings[i].name) == len && memcmp(strings[i].name, name, len) == 0)
			return *(const char *const *)((const char *)a + strings[i].offset);
	if (len == 5 && memcmp(name, "count", 5) == 0)
		v = a->count;
	else if (len == 5 && memcmp(name, "limit", 5) == 0)
		v = a->limit;
	else if (len == 4 && memcmp(name, "port", 4) == 0)
		v = a->port;
	else
		return NULL;
	snprintf(num, 24, "%llu", (unsigned long long)v);
	return num;
}

size_t sockstate__expand(const char *tmpl, const struct sockstate__text_args *a,
                         char *buf, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return 0;
	for (const char *p = tmpl; *p != '\0';) {
		const char *piece = p, *close;
		size_t piece_len = 1;
		char num[24];

		if (*p == '{' && (close = strchr(p, '}')) != NULL) {
			const char *name = p + 1;
			size_t name_len = (size_t)(close - name);

			/* {s:one|many} by count, {p:one|many} by the number of
			 * ports: the part before or after the bar. */
			if (name_len > 2 && (name[0] == 's' || name[0] == 'p') && name[1] == ':') {
				const char *bar = memchr(name, '|', name_len);
				uint64_t k = name[0] == 's' ? a->count : a->nports;

				piece = name + 2;
				piece_len = bar ? (size_t)(bar - piece) : name_len - 2;
				if (bar && k != 1) {
					piece = bar + 1;
					piece_len = (size_t)(close - piece);
				}
			} else {
				piece = arg_text(a, name, name_len, num);
				if (!piece)
					piece = "?";
				piece_len = strlen(piece);
			}
			p = close + 1;
		} else {
			p++;
		}
		if (piece_len > len - 1 - n)
			piece_len = len - 1 - n;
		memcpy(buf + n, piece, piece_len);
		n += piece_len;
	}
	buf[n] = '\0';
	return n;
}
