<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>DashboardPanel</name>
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
      <source>Coming next</source>
      <translation>即将推出</translation>
    </message>
    <message>
      <source>Running training runs, the serving engine, GPU, knowledge bases and recent chats will appear here as those panels arrive.</source>
      <translation>正在进行的训练、推理服务、GPU、知识库和最近的对话，将随这些面板的推出显示在这里。</translation>
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
    <name>MainWindow</name>
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
      <source>&amp;Quit</source>
      <translation>退出(&amp;Q)</translation>
    </message>
    <message>
      <source>&amp;View</source>
      <translation>视图(&amp;V)</translation>
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
      <source>&amp;About AI Platform</source>
      <translation>关于 AI 平台(&amp;A)</translation>
    </message>
    <message>
      <source>Data: {path}</source>
      <translation>数据：{path}</translation>
    </message>
    <message>
      <source>About AI Platform</source>
      <translation>关于 AI 平台</translation>
    </message>
    <message>
      <source>&lt;b&gt;{name}&lt;/b&gt; {version}&lt;br&gt;A local workstation for large language models: datasets, fine-tuning, chat, knowledge bases and agents, on your own machine.</source>
      <translation>&lt;b&gt;{name}&lt;/b&gt; {version}&lt;br&gt;本地大语言模型工作站：数据集、微调、对话、知识库与智能体，全部在你自己的电脑上。</translation>
    </message>
  </context>
  <context>
    <name>PlaceholderPanel</name>
    <message>
      <source>Dashboard</source>
      <translation>仪表盘</translation>
    </message>
    <message>
      <source>Running and recent training runs, the serving engine, a GPU summary, knowledge bases and recent chats, at a glance.</source>
      <translation>一眼看到正在进行和最近的训练、推理服务、GPU 概况、知识库和最近的对话。</translation>
    </message>
    <message>
      <source>Datasets</source>
      <translation>数据集</translation>
    </message>
    <message>
      <source>Import JSON, JSONL or CSV datasets (Alpaca, ShareGPT, OpenAI messages), validate every record by line, preview them and see their token lengths.</source>
      <translation>导入 JSON、JSONL 或 CSV 数据集（Alpaca、ShareGPT、OpenAI messages），逐行校验每条记录，预览内容并查看词元长度分布。</translation>
    </message>
    <message>
      <source>Training</source>
      <translation>训练</translation>
    </message>
    <message>
      <source>Fine-tune with QLoRA or LoRA: a VRAM planner before launch, then live loss, GPU and log panels, stop and one-click resume.</source>
      <translation>用 QLoRA 或 LoRA 微调：启动前估算显存，训练中实时查看损失、GPU 和日志，可随时停止并一键续训。</translation>
    </message>
    <message>
      <source>Experiments</source>
      <translation>实验</translation>
    </message>
    <message>
      <source>Compare runs side by side, overlay their loss curves, export charts and metrics.</source>
      <translation>并排比较多次训练，叠加损失曲线，导出图表和指标。</translation>
    </message>
    <message>
      <source>Models</source>
      <translation>模型</translation>
    </message>
    <message>
      <source>The bundled model, local folders, GGUF files, downloads and the adapters your runs produced.</source>
      <translation>内置模型、本地文件夹、GGUF 文件、下载的模型，以及训练产出的适配器。</translation>
    </message>
    <message>
      <source>Chat</source>
      <translation>对话</translation>
    </message>
    <message>
      <source>Streaming chat with a base model or a trained adapter, served locally by vLLM.</source>
      <translation>与基础模型或训练好的适配器流式对话，由本机 vLLM 提供服务。</translation>
    </message>
    <message>
      <source>Knowledge</source>
      <translation>知识库</translation>
    </message>
    <message>
      <source>Drop documents to build knowledge bases, then ask questions and get answers with citations.</source>
      <translation>拖入文档即可建立知识库，提问后得到附带引用的回答。</translation>
    </message>
    <message>
      <source>GPU</source>
      <translation>GPU</translation>
    </message>
    <message>
      <source>Live utilisation, memory, temperature and power for each GPU and each process.</source>
      <translation>实时显示每块 GPU、每个进程的利用率、显存、温度和功耗。</translation>
    </message>
    <message>
      <source>Logs</source>
      <translation>日志</translation>
    </message>
    <message>
      <source>The app's log and every engine's log in one searchable, filterable viewer.</source>
      <translation>应用日志和所有引擎日志集中在一个可搜索、可筛选的查看器中。</translation>
    </message>
    <message>
      <source>Not available yet</source>
      <translation>尚未推出</translation>
    </message>
    <message>
      <source>This panel arrives in a coming version. Projects and Settings already work.</source>
      <translation>此面板将在后续版本中推出。项目和设置现已可用。</translation>
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
      <source>A project needs a name.</source>
      <translation>项目需要一个名称。</translation>
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
</TS>
